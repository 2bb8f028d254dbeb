// Row ids of messages, jobs, attempts and events are time-ordered (record-id.ts): rows written
// together must sort together, or every commit scatters its index writes across the B-trees.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newRecordId } from '../../src/core/record-id.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('record ids', () => {
  it('are RFC 9562 version 7 UUIDs carrying the time they were made', () => {
    const before = Date.now();
    const id = newRecordId();
    const after = Date.now();
    assert.match(id, UUID_V7);
    assert.ok(millisOf(id) >= before && millisOf(id) <= after, `${millisOf(id)} not in [${before}, ${after}]`);
  });

  it('sort in the order they were made, millisecond by millisecond', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newRecordId());
      await sleep(2);
    }
    assert.deepEqual([...ids].sort(), ids);
  });

  it('stay unique and unguessable within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newRecordId());
    assert.equal(new Set(ids).size, ids.length);
    // The 74 bits after the timestamp are random, not a counter: neighbours differ in their tails.
    const tails = new Set(ids.map((id) => id.slice(-12)));
    assert.equal(tails.size, ids.length);
  });
});
