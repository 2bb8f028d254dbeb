// The claim loop (core/outbound/claim-loop.ts): once its worker nudges, a claim that came back short
// is repeated on the next nudge (or after the idle poll), not on every finished task — each claim
// is a query and a commit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaimLoop } from '../../src/core/outbound/claim-loop.ts';
import type { Logger } from '../../src/core/ports.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

/** Lets the loop run until it waits again. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('claim loop', () => {
  it('after a short claim, claims again on a nudge, not on each finished task', async () => {
    const tasks = [deferred(), deferred(), deferred()];
    const rooms: number[] = [];
    const loop = new ClaimLoop(async (room) => {
      rooms.push(room);
      return rooms.length === 1 ? [tasks[0]!.promise, tasks[1]!.promise] : rooms.length === 2 ? [tasks[2]!.promise] : [];
    }, quiet, { maxInFlight: 4, idlePollMs: 60_000, claimBatchMin: 1, name: 'test' });
    loop.nudge(); // the worker nudges (it does on its first finished task)
    loop.start();
    await settle();
    assert.deepEqual(rooms, [4], 'took 2 of 4: short, so it waits');
    tasks[0]!.resolve();
    await settle();
    assert.deepEqual(rooms, [4], 'a finished task alone does not make it claim again');
    loop.nudge();
    await settle();
    assert.deepEqual(rooms, [4, 3], 'a nudge does');
    for (const t of tasks) t.resolve();
    await loop.stop(1_000);
  });

  it('without nudges, claims again whenever a task finishes and there is room (the webhook worker)', async () => {
    const tasks = [deferred(), deferred()];
    let claims = 0;
    const loop = new ClaimLoop(async () => {
      claims++;
      return claims === 1 ? tasks.map((t) => t.promise) : [];
    }, quiet, { maxInFlight: 4, idlePollMs: 60_000, claimBatchMin: 1, name: 'test' });
    loop.start();
    await settle();
    const before = claims;
    tasks[0]!.resolve();
    await settle();
    assert.equal(claims, before + 1);
    tasks[1]!.resolve();
    await loop.stop(1_000);
  });
});
