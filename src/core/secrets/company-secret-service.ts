// The internal secret manager: named secrets per company, sealed at rest, write-only.
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError } from '../errors.ts';
import type { Company, CompanySecret, Principal } from '../model.ts';
import type { Clock, Sealer, Store } from '../ports.ts';
import { actorOf, requireAdmin } from '../tenancy/access-policy.ts';
import { SECRET_NAME } from './internal-secret-provider.ts';

const MAX_SECRET_BYTES = 16 * 1024;

export class CompanySecretService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly sealer: Sealer;

  constructor(deps: { store: Store; clock: Clock; sealer: Sealer }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.sealer = deps.sealer;
  }

  async list(principal: Principal, company: Company): Promise<{ secret: CompanySecret; usedBy: number }[]> {
    requireAdmin(principal);
    const secrets = await this.store.secrets.list(company.id);
    return Promise.all(secrets.map(async (secret) => ({ secret, usedBy: await this.store.mailServers.countReferencing(company.id, `secret:${secret.name}`) })));
  }

  async put(principal: Principal, company: Company, name: string, value: string, description: string | null): Promise<CompanySecret> {
    requireAdmin(principal);
    const issues = [];
    if (!SECRET_NAME.test(name)) issues.push({ field: 'name', rule: 'secret_name', message: 'must be 1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit' });
    if (!value) issues.push({ field: 'value', rule: 'required', message: 'must not be empty' });
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) issues.push({ field: 'value', rule: 'max_length', message: `must be at most ${MAX_SECRET_BYTES} bytes` });
    if (description && description.length > 500) issues.push({ field: 'description', rule: 'max_length', message: 'must be at most 500 characters' });
    if (issues.length) throw validationError(issues);
    const now = this.clock.now().toISOString();
    const actor = actorOf(principal);
    return this.store.transaction(async (tx) => {
      const existing = await tx.secrets.get(company.id, name);
      const secret: CompanySecret = {
        id: existing?.id ?? crypto.randomUUID(), companyId: company.id, name, description: description ?? existing?.description ?? null,
        valueSealed: this.sealer.seal(value), createdBy: existing?.createdBy ?? actor.label, createdAt: existing?.createdAt ?? now, updatedAt: now,
      };
      await tx.secrets.upsert(secret);
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: existing ? 'secret.replaced' : 'secret.created', targetType: 'secret', targetId: secret.id, details: { name } });
      return secret;
    });
  }

  async delete(principal: Principal, company: Company, name: string): Promise<void> {
    requireAdmin(principal);
    await this.store.transaction(async (tx) => {
      const existing = await tx.secrets.get(company.id, name);
      if (!existing) throw new AppError('NOT_FOUND', `No secret named "${name}".`);
      const users = await tx.mailServers.countReferencing(company.id, `secret:${name}`);
      if (users > 0) throw new AppError('SECRET_IN_USE', `The secret "${name}" is used by ${users} mail server(s); point them elsewhere first.`);
      await tx.secrets.delete(company.id, name);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'secret.deleted', targetType: 'secret', targetId: existing.id, details: { name } });
    });
  }
}
