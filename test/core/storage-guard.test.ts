// The storage guard's arithmetic: what was admitted since the last look counts against the free
// space, the disk is asked at most once a second, and an invisible disk (null) refuses nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/core/errors.ts';
import { StorageGuard, type FreeSpaceProbe } from '../../src/core/outbound/storage-guard.ts';

const MB = 1_048_576;

function probe(free: number | null): FreeSpaceProbe & { looks: number; free: number | null } {
  const p = {
    looks: 0,
    free,
    async freeBytes() {
      p.looks++;
      return p.free;
    },
  };
  return p;
}

describe('storage guard', () => {
  it('admits until the minimum would be crossed, counting what it admitted since the last look', async () => {
    let now = 0;
    const disk = probe(110 * MB);
    const guard = new StorageGuard(disk, { now: () => new Date(now) }, { minFreeBytes: 100 * MB });
    // Each 2 MB message needs 4 MB (written twice): 110 - 4 - 4 = 102 ≥ 100; a third would leave 98.
    await guard.admit(2 * MB);
    await guard.admit(2 * MB);
    await assert.rejects(guard.admit(2 * MB), (err) => isAppError(err) && err.code === 'STORAGE_LOW' && err.details?.minimumMegabytes === 100);
    assert.equal(disk.looks, 1, 'asked once within the second');
    // A second later the disk is asked again: space was freed meanwhile.
    now += 1_000;
    disk.free = 200 * MB;
    await guard.admit(2 * MB);
    assert.equal(disk.looks, 2);
  });

  it('refuses nothing when the disk cannot be seen or the minimum is 0', async () => {
    await new StorageGuard(probe(null), { now: () => new Date(0) }, { minFreeBytes: 100 * MB }).admit(50 * MB);
    const disk = probe(0);
    await new StorageGuard(disk, { now: () => new Date(0) }, { minFreeBytes: 0 }).admit(50 * MB);
    assert.equal(disk.looks, 0, 'off means not even asked');
  });
});
