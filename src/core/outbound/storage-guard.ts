// "Low resources refuse new work with a temporary error instead of failing later" (SECURITY.md,
// delivery promise 5; Postfix's queue_minfree): before a message is accepted, the disk that holds
// the database must keep MAILROOM_MIN_FREE_DISK_MB free after the message is written. Otherwise the
// submit is refused with STORAGE_LOW (HTTP 503, SMTP 452 4.3.1) and nothing is stored — better than
// a 202 now and a database that cannot record the outcome later.
//
// Free space is asked at most once a second (a statfs is cheap, but a batch of single POSTs asks
// thousands of times); what was admitted since is subtracted, so a burst cannot overrun the margin
// between two looks. Where the database's disk cannot be seen (PostgreSQL on another machine) the
// probe answers null and only the database's own "disk full" error (mapped at the edge) remains.
import { AppError } from '../errors.ts';
import type { Clock } from '../ports.ts';

export interface FreeSpaceProbe {
  /** Bytes available to Mailroom on the database's disk, or null when that disk is not visible here. */
  freeBytes(): Promise<number | null>;
}

/** SQLite writes a message about twice (WAL, then the database file) before a checkpoint. */
const WRITE_AMPLIFICATION = 2;
const PROBE_EVERY_MS = 1_000;
const RETRY_AFTER_SECONDS = 300;

export class StorageGuard {
  private readonly probe: FreeSpaceProbe;
  private readonly clock: Clock;
  private readonly minFreeBytes: number;
  private lastLook: { atMs: number; freeBytes: number | null } | null = null;
  private admittedSinceLook = 0;

  constructor(probe: FreeSpaceProbe, clock: Clock, options: { minFreeBytes: number }) {
    this.probe = probe;
    this.clock = clock;
    this.minFreeBytes = options.minFreeBytes;
  }

  /** Throws STORAGE_LOW unless `incomingBytes` more can be written and the minimum still stays free. */
  async admit(incomingBytes: number): Promise<void> {
    if (this.minFreeBytes <= 0) return;
    const now = this.clock.now().getTime();
    if (!this.lastLook || now - this.lastLook.atMs >= PROBE_EVERY_MS) {
      this.lastLook = { atMs: now, freeBytes: await this.probe.freeBytes() };
      this.admittedSinceLook = 0;
    }
    const free = this.lastLook.freeBytes;
    if (free === null) return;
    const needed = incomingBytes * WRITE_AMPLIFICATION;
    if (free - this.admittedSinceLook - needed < this.minFreeBytes) {
      throw new AppError('STORAGE_LOW', undefined, {
        details: { retryAfterSeconds: RETRY_AFTER_SECONDS, freeMegabytes: Math.floor(free / 1_048_576), minimumMegabytes: Math.round(this.minFreeBytes / 1_048_576) },
      });
    }
    this.admittedSinceLook += needed;
  }
}
