// Every change to settings lands in the audit log: who, when, what. Details pass through a
// redaction that drops anything secret-shaped, so a careless caller cannot log a password.
import type { Clock, Store } from '../ports.ts';
import type { Actor } from '../tenancy/access-policy.ts';
import { newRecordId } from '../record-id.ts';

const SECRET_KEYS = /pass(word)?|secret|token|key$|^key|credential|authorization|cookie/i;
/** Keys that match the pattern but hold facts about a secret, never the secret itself. */
const SAFE_KEYS = new Set(['passwordChanged', 'passwordCleared', 'passwordRef', 'passwordSource']);

export function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (SECRET_KEYS.test(k) && !SAFE_KEYS.has(k)) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? redactDetails(v as Record<string, unknown>) : v;
  }
  return out;
}

export interface AuditEvent {
  companyId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(store: Store, clock: Clock, actor: Actor, event: AuditEvent): Promise<void> {
  await store.audit.append({
    id: newRecordId(),
    companyId: event.companyId,
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    details: redactDetails(event.details ?? {}),
    createdAt: clock.now().toISOString(),
  });
}
