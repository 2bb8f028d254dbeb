// The circuit breaker of a mail server. A configuration error (wrong password, bad certificate,
// blocked host, TLS mismatch) will fail every message the same way, so instead of hammering the
// server the worker "holds" it: its queued jobs wait, its messages show as held, the admin sees why
// on the server and in the failure history. Fixing the server (saving it, or "retry now") resumes.
import type { Clock, Store } from '../ports.ts';

export async function holdServer(store: Store, clock: Clock, server: { id: string; companyId: string }, code: string, message: string, options: { holdQueuedJobs: boolean } = { holdQueuedJobs: true }): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.serverDelivery.get(server.id);
    if (current?.state !== 'held' || current.code !== code) {
      await tx.serverDelivery.put({ serverId: server.id, companyId: server.companyId, state: 'held', code, message, since: clock.now().toISOString() });
    }
    // With a fallback, queued jobs stay ready: the worker sends them through the fallback.
    if (options.holdQueuedJobs) await tx.queue.holdPartition(server.id);
  });
}

/** Returns how many queued messages start moving again. */
export async function resumeServer(store: Store, clock: Clock, server: { id: string; companyId: string }): Promise<number> {
  const now = clock.now().toISOString();
  return store.transaction(async (tx) => {
    const current = await tx.serverDelivery.get(server.id);
    if (current?.state === 'held') await tx.serverDelivery.put({ ...current, state: 'healthy', code: null, message: null, since: now });
    const released = await tx.queue.releasePartition(server.id, now);
    await tx.messages.setStatusForServer(server.id, 'held', 'queued', now);
    return released;
  });
}
