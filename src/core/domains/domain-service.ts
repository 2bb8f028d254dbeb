// Sending domains: a company adds its domain, Mailroom makes a DKIM key and shows the records to
// publish, checks them live (on demand and periodically) and says record by record what it found.
// A domain whose SPF and DKIM records are found is "verified": only then does signingKeyFor hand
// its DKIM key to the direct-delivery worker, so Mailroom never signs with a key receivers cannot
// find. The private key is sealed at rest and leaves this service only through signingKeyFor.
import crypto from 'node:crypto';
import { domainToASCII } from 'node:url';
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError } from '../errors.ts';
import type { Company, MailServer, Principal } from '../model.ts';
import type { Clock, Logger, Sealer, Store } from '../ports.ts';
import { actorOf, requireAdmin, type Actor } from '../tenancy/access-policy.ts';
import { hostNameProblem } from '../validation/host-name.ts';
import { generateDkimKey, newSelector } from './dkim-key.ts';
import type { DnsLookup, SpfEvaluator } from './dns-ports.ts';
import { recordsToPublish, type DnsPlanSettings, type PlannedRecord } from './dns-record-plan.ts';
import { answersCover, evaluateDomain, gatherAnswers } from './domain-check.ts';
import { DMARC_POLICIES, type DmarcPolicy, type SendingDomain } from './domain-model.ts';
import { spfAllowsServer, type ServerSpfCheck } from './server-spf-check.ts';

export interface DomainServiceDeps {
  store: Store;
  clock: Clock;
  sealer: Sealer;
  dns: DnsLookup;
  spf: SpfEvaluator;
  settings: DnsPlanSettings;
  logger: Logger;
  /** Mail servers as the caller may see them (core/servers), for the SPF warning on a server. */
  servers: { get(principal: Principal, company: Company, id: string): Promise<MailServer> };
}

export interface DomainInput {
  domain?: string;
  dmarcPolicy?: string;
}

export interface SigningKey {
  domain: string;
  selector: string;
  privateKeyPem: string;
}

const DEFAULT_DMARC_POLICY: DmarcPolicy = 'quarantine';
const SCHEDULED_ACTOR: Actor = { type: 'system', id: null, label: 'Mailroom (scheduled domain check)' };
/** A check re-reads the domain before saving; if a rotation changed its names meanwhile it looks again, this often. */
const CHECK_ATTEMPTS = 3;

export class DomainService {
  private readonly deps: DomainServiceDeps;

  constructor(deps: DomainServiceDeps) {
    this.deps = deps;
  }

  /** The records the company publishes for `domain` (for the API's views). */
  recordsFor(domain: SendingDomain): PlannedRecord[] {
    return recordsToPublish(domain, this.deps.settings);
  }

  async list(principal: Principal, company: Company): Promise<SendingDomain[]> {
    requireAdmin(principal);
    return this.deps.store.sendingDomains.listByCompany(company.id);
  }

  async get(principal: Principal, company: Company, id: string): Promise<SendingDomain> {
    requireAdmin(principal);
    const domain = await this.deps.store.sendingDomains.get(id);
    // Another company's domain is reported as absent, like every other resource.
    if (!domain || domain.companyId !== company.id) throw new AppError('NOT_FOUND', 'Sending domain not found.');
    return domain;
  }

  async add(principal: Principal, company: Company, input: DomainInput): Promise<SendingDomain> {
    requireAdmin(principal);
    const name = normalizeDomain(input.domain);
    const dmarcPolicy = input.dmarcPolicy === undefined ? DEFAULT_DMARC_POLICY : parsePolicy(input.dmarcPolicy);
    const { store, clock, sealer } = this.deps;
    if (await store.sendingDomains.getByDomain(company.id, name)) throw alreadyAdded(name);
    const key = await generateDkimKey();
    const now = clock.now();
    const at = now.toISOString();
    const actor = actorOf(principal);
    const domain: SendingDomain = {
      id: crypto.randomUUID(), companyId: company.id, domain: name, dkimSelector: newSelector(now),
      dkimPrivateKeySealed: sealer.seal(key.privateKeyPem), dkimPublicKey: key.publicKey,
      nextDkimSelector: null, nextDkimPrivateKeySealed: null, nextDkimPublicKey: null,
      dmarcPolicy, status: 'pending', lastCheck: null, checkedAt: null, verifiedAt: null,
      createdBy: actor.label, createdAt: at, updatedAt: at,
    };
    try {
      await store.transaction(async (tx) => {
        if (await tx.sendingDomains.getByDomain(company.id, name)) throw alreadyAdded(name);
        await tx.sendingDomains.insert(domain);
        await recordAudit(tx, clock, actor, { companyId: company.id, action: 'domain.added', targetType: 'sending_domain', targetId: domain.id, details: { domain: name, selector: domain.dkimSelector, dmarcPolicy } });
      });
    } catch (err) {
      // Two adds at once: the unique index lets one through; the other is the same 409.
      if (!(err instanceof AppError) && (await store.sendingDomains.getByDomain(company.id, name))) throw alreadyAdded(name);
      throw err;
    }
    return domain;
  }

  async remove(principal: Principal, company: Company, id: string): Promise<void> {
    const domain = await this.get(principal, company, id);
    await this.deps.store.transaction(async (tx) => {
      await tx.sendingDomains.delete(domain.id);
      await recordAudit(tx, this.deps.clock, actorOf(principal), { companyId: company.id, action: 'domain.deleted', targetType: 'sending_domain', targetId: domain.id, details: { domain: domain.domain } });
    });
  }

  /** Changes the DMARC policy shown in the record; the next check compares against it. */
  async update(principal: Principal, company: Company, id: string, input: { dmarcPolicy?: string }): Promise<SendingDomain> {
    await this.get(principal, company, id);
    if (input.dmarcPolicy === undefined) return this.get(principal, company, id);
    const policy = parsePolicy(input.dmarcPolicy);
    const { store, clock } = this.deps;
    return store.transaction(async (tx) => {
      const current = await tx.sendingDomains.get(id);
      if (!current) throw new AppError('NOT_FOUND', 'Sending domain not found.');
      if (current.dmarcPolicy === policy) return current;
      const updated: SendingDomain = { ...current, dmarcPolicy: policy, updatedAt: clock.now().toISOString() };
      await tx.sendingDomains.update(updated);
      await recordAudit(tx, clock, actorOf(principal), { companyId: company.id, action: 'domain.dmarc_policy_changed', targetType: 'sending_domain', targetId: id, details: { domain: current.domain, from: current.dmarcPolicy, to: policy } });
      return updated;
    });
  }

  /**
   * Makes the next DKIM key. Its record is shown next to the current one; the current key keeps
   * signing until a check finds the new record, then the new key takes over (domain-check.ts).
   */
  async rotateDkim(principal: Principal, company: Company, id: string): Promise<SendingDomain> {
    const domain = await this.get(principal, company, id);
    if (domain.nextDkimSelector) throw rotationPending(domain);
    const key = await generateDkimKey();
    const { store, clock, sealer } = this.deps;
    const now = clock.now();
    return store.transaction(async (tx) => {
      const current = await tx.sendingDomains.get(id);
      if (!current) throw new AppError('NOT_FOUND', 'Sending domain not found.');
      if (current.nextDkimSelector) throw rotationPending(current);
      const selector = newSelector(now, [current.dkimSelector]);
      const updated: SendingDomain = {
        ...current, nextDkimSelector: selector, nextDkimPrivateKeySealed: sealer.seal(key.privateKeyPem), nextDkimPublicKey: key.publicKey,
        updatedAt: now.toISOString(),
      };
      await tx.sendingDomains.update(updated);
      await recordAudit(tx, clock, actorOf(principal), { companyId: company.id, action: 'domain.dkim_rotation_started', targetType: 'sending_domain', targetId: id, details: { domain: current.domain, selector: current.dkimSelector, nextSelector: selector } });
      return updated;
    });
  }

  /** "Check now": looks every record up and keeps the result as the domain's last check. */
  async check(principal: Principal, company: Company, id: string): Promise<SendingDomain> {
    await this.get(principal, company, id);
    return this.runCheck(id, actorOf(principal));
  }

  /**
   * The periodic check: every domain not checked for `intervalMs`, one at a time, so a slow DNS
   * server holds up only this loop. A failure is logged and the loop goes on.
   */
  async checkDue(intervalMs: number, shouldStop: () => boolean = () => false): Promise<{ checked: number; failed: number }> {
    const cutoff = this.deps.clock.now().getTime() - intervalMs;
    const due = (await this.deps.store.sendingDomains.listAll()).filter((d) => !d.checkedAt || Date.parse(d.checkedAt) <= cutoff);
    let checked = 0;
    let failed = 0;
    for (const d of due) {
      if (shouldStop()) break;
      try {
        await this.runCheck(d.id, SCHEDULED_ACTOR);
        checked++;
      } catch (err) {
        failed++;
        this.deps.logger.warn({ domainId: d.id, domain: d.domain, err: { message: err instanceof Error ? err.message : String(err) } }, 'scheduled sending domain check failed');
      }
    }
    return { checked, failed };
  }

  /** The key to sign mail from `domain` with, or null unless the last check verified the domain. */
  async signingKeyFor(companyId: string, domain: string): Promise<SigningKey | null> {
    const found = await this.deps.store.sendingDomains.getByDomain(companyId, domain.toLowerCase().replace(/\.$/, ''));
    if (!found || found.status !== 'verified') return null;
    return { domain: found.domain, selector: found.dkimSelector, privateKeyPem: this.deps.sealer.open(found.dkimPrivateKeySealed) };
  }

  /** Whether the SPF record of a mail server's From domain allows that server: a warning, never a block. */
  async serverSpfCheck(principal: Principal, company: Company, serverId: string): Promise<ServerSpfCheck & { serverId: string }> {
    const server = await this.deps.servers.get(principal, company, serverId);
    const fromDomain = server.fromAddress.slice(server.fromAddress.lastIndexOf('@') + 1);
    return { serverId: server.id, ...(await spfAllowsServer(this.deps, fromDomain, server.host)) };
  }

  private async runCheck(id: string, actor: Actor): Promise<SendingDomain> {
    const { store, clock, dns, settings, logger } = this.deps;
    for (let attempt = 0; attempt < CHECK_ATTEMPTS; attempt++) {
      const before = await store.sendingDomains.get(id);
      if (!before) throw new AppError('NOT_FOUND', 'Sending domain not found.');
      // DNS first, outside any transaction; then re-read and save in one.
      const answers = await gatherAnswers(dns, before, settings);
      const saved = await store.transaction(async (tx) => {
        const current = await tx.sendingDomains.get(id);
        if (!current) throw new AppError('NOT_FOUND', 'Sending domain not found.');
        if (!answersCover(current, settings, answers)) return null;
        const { domain, rotated } = evaluateDomain(current, answers, settings, clock.now());
        await tx.sendingDomains.update(domain);
        const audit = (action: string, details: Record<string, unknown>) =>
          recordAudit(tx, clock, actor, { companyId: domain.companyId, action, targetType: 'sending_domain', targetId: id, details: { domain: domain.domain, ...details } });
        if (rotated) await audit('domain.dkim_rotated', { selector: domain.dkimSelector, oldSelector: current.dkimSelector });
        if (domain.status !== current.status && domain.status !== 'pending') {
          await audit(`domain.${domain.status}`, { from: current.status, to: domain.status });
          logger.info({ domainId: id, domain: domain.domain, from: current.status, to: domain.status }, 'sending domain status changed');
        }
        return domain;
      });
      if (saved) return saved;
    }
    throw new AppError('CONFLICT', 'The domain\'s DKIM key changed during the check; check again.');
  }
}

function normalizeDomain(raw: string | undefined): string {
  const text = (raw ?? '').trim().replace(/\.$/, '');
  const fail = (rule: string, message: string) => validationError([{ field: 'domain', rule, message }]);
  if (!text) throw fail('required', 'enter the domain your mail is sent from, e.g. example.com');
  if (text.includes('@')) throw fail('domain', 'must be a domain like example.com, not an email address (use the part after @)');
  const problem = hostNameProblem(text, { requireDot: true });
  if (problem) throw fail('domain', problem);
  const bare = text.startsWith('[') ? text.slice(1, -1) : text;
  if (/^[\d.]+$/.test(bare) || bare.includes(':')) throw fail('domain', 'must be a domain name, not an IP address');
  // Stored in A-label form: that is the name in DNS, and what receivers compare.
  return domainToASCII(text).toLowerCase();
}

function parsePolicy(value: string): DmarcPolicy {
  if (!(DMARC_POLICIES as readonly string[]).includes(value)) {
    throw validationError([{ field: 'dmarcPolicy', rule: 'enum', message: `must be one of ${DMARC_POLICIES.join(', ')}` }]);
  }
  return value as DmarcPolicy;
}

const alreadyAdded = (name: string) => new AppError('CONFLICT', `${name} is already a sending domain of this company.`);

const rotationPending = (d: SendingDomain) => new AppError('CONFLICT', `A new DKIM key (selector ${d.nextDkimSelector}) is already waiting for its record: publish it and check the domain, then rotate again if needed.`);
