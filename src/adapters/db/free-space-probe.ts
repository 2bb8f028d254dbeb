// Free space on the disk of the SQLite data folder (core/outbound/storage-guard.ts), by statfs:
// the blocks available to an unprivileged user (bavail), as df shows them. For PostgreSQL the
// database's disk is on the database server, not visible here: the probe answers null.
import { statfs } from 'node:fs/promises';
import type { FreeSpaceProbe } from '../../core/outbound/storage-guard.ts';

export function createFreeSpaceProbe(dataDir: string | null): FreeSpaceProbe {
  return {
    async freeBytes() {
      if (dataDir === null) return null;
      try {
        const stats = await statfs(dataDir);
        return Number(stats.bavail) * Number(stats.bsize);
      } catch {
        // The folder vanished or the filesystem does not say: no basis to refuse mail.
        return null;
      }
    },
  };
}
