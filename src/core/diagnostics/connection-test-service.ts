// "Test connection" and "Send test email" for saved servers and for unsaved form values. The probe
// itself is the SmtpProber port; this service decides which password may be used, who may receive
// a test email, how often, and keeps the last results per server.
import { isProvenSender } from '../senders/sender-service.ts';
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError, type FieldIssue } from '../errors.ts';
import type { Company, ConnectionTestRecord, MailServer, Principal } from '../model.ts';
import type { Clock, Store } from '../ports.ts';
import { credentialTargetChanged } from '../servers/mail-server-rules.ts';
import type { MailServerInput, MailServerService } from '../servers/mail-server-service.ts';
import { actorOf, requireAdmin } from '../tenancy/access-policy.ts';
import { parseEmailAddress } from '../validation/email-address.ts';
import { FixedWindowLimiter } from './fixed-window-limiter.ts';
import { warningsFor, type SettingsWarning } from './pre-save-warnings.ts';
import { validateProbeRequest } from './probe-request-validation.ts';
import type { ProbeRequest, ProbeResult, SmtpProber } from './probe-types.ts';

export const KEPT_RESULTS_PER_SERVER = 20;
const TESTS_PER_WINDOW = 30;
const TEST_WINDOW_MS = 10 * 60_000;
const TEST_EMAILS_PER_WINDOW = 5;
const TEST_EMAIL_WINDOW_MS = 60 * 60_000;

export interface TestOptions {
  sendTestEmail: boolean;
  /** Recipient of the test email (and RCPT TO); defaults to the signed-in admin's address. */
  to?: string | null;
}

export interface SavedTestOutcome {
  result: ProbeResult;
  record: ConnectionTestRecord;
}

export class ConnectionTestService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly prober: SmtpProber;
  private readonly servers: MailServerService;
  private readonly testLimiter: FixedWindowLimiter;
  private readonly emailLimiter: FixedWindowLimiter;

  constructor(deps: { store: Store; clock: Clock; prober: SmtpProber; servers: MailServerService }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.prober = deps.prober;
    this.servers = deps.servers;
    this.testLimiter = new FixedWindowLimiter({ limit: TESTS_PER_WINDOW, windowMs: TEST_WINDOW_MS, clock: deps.clock });
    this.emailLimiter = new FixedWindowLimiter({ limit: TEST_EMAILS_PER_WINDOW, windowMs: TEST_EMAIL_WINDOW_MS, clock: deps.clock });
  }

  /** Form warnings before any connection; pure. */
  warnings(settings: Parameters<typeof warningsFor>[0]): SettingsWarning[] {
    return warningsFor(settings);
  }

  async testSaved(principal: Principal, company: Company, serverId: string, options: TestOptions): Promise<SavedTestOutcome> {
    const server = await this.servers.get(principal, company, serverId);
    const owner = server.companyId === company.id ? company : (await this.store.companies.get(server.companyId))!;
    const to = await this.recipient(principal, company, server, options);
    const password = server.authEnabled ? await this.servers.resolvePassword(server, owner) : null;
    if (server.authEnabled && !password) {
      throw validationError([{ field: 'password', rule: 'required', message: 'no password is saved for this server: type it and save, or use a secret reference' }]);
    }
    const request = this.requestFor(server, password, to, options.sendTestEmail);
    const result = await this.run(company, request, options.sendTestEmail);
    const record: ConnectionTestRecord = {
      id: crypto.randomUUID(), serverId: server.id, companyId: company.id, ok: result.ok, code: result.code, stage: result.stage,
      sentTestEmail: options.sendTestEmail, testAddress: to, result: result as unknown as Record<string, unknown>,
      testedBy: actorOf(principal).label, createdAt: this.clock.now().toISOString(),
    };
    await this.store.transaction(async (tx) => {
      await tx.connectionTests.insert(record);
      await tx.connectionTests.prune(server.id, KEPT_RESULTS_PER_SERVER);
      if (options.sendTestEmail) {
        await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'mail_server.test_email_sent', targetType: 'mail_server', targetId: server.id, details: { to, ok: result.ok, code: result.code } });
      }
    });
    return { result, record };
  }

  /**
   * Tests values typed in the form before saving. With `serverId`, the stored password is used only
   * when host, port, security and mechanism are those it was saved for — otherwise the form could
   * send it to any host (Keycloak #39486).
   */
  async testUnsaved(principal: Principal, company: Company, input: MailServerInput & { serverId?: string | null }, options: TestOptions): Promise<ProbeResult> {
    requireAdmin(principal);
    const stored = input.serverId ? await this.servers.get(principal, company, input.serverId) : null;
    const merged = {
      host: input.host ?? stored?.host ?? '',
      port: input.port ?? stored?.port ?? 587,
      security: input.security ?? stored?.security ?? 'starttls',
      authEnabled: input.authEnabled ?? stored?.authEnabled ?? false,
      authMechanism: input.authMechanism ?? stored?.authMechanism ?? 'plain',
      username: input.username !== undefined ? input.username : stored?.username ?? null,
      fromAddress: input.fromAddress ?? stored?.fromAddress ?? '',
      allowInvalidCert: input.allowInvalidCert ?? stored?.allowInvalidCert ?? false,
    };
    let password: string | null = input.password || null;
    const typedRef = input.passwordRef?.trim() || null;
    if (!password && typedRef) {
      // A reference typed in the form resolves in the acting company's own scope, like at send time.
      password = await this.servers.resolveReference(typedRef, company);
    } else if (!password && merged.authEnabled && stored && !credentialTargetChanged(stored, merged) && input.passwordRef !== null) {
      const owner = stored.companyId === company.id ? company : (await this.store.companies.get(stored.companyId))!;
      password = await this.servers.resolvePassword(stored, owner);
    }
    if (merged.authEnabled && !password) {
      throw validationError([{ field: 'password', rule: 'required', message: stored ? 'type the password: the saved one is used only with the saved host, port, security and mechanism' : 'must not be empty when authentication is on' }]);
    }
    const to = await this.recipient(principal, company, merged, options);
    return this.run(company, this.requestFor({ ...merged, username: merged.username }, password, to, options.sendTestEmail), options.sendTestEmail);
  }

  async history(principal: Principal, company: Company, serverId: string, limit = KEPT_RESULTS_PER_SERVER): Promise<ConnectionTestRecord[]> {
    await this.servers.get(principal, company, serverId);
    return this.store.connectionTests.listByServer(serverId, limit);
  }

  private async run(company: Company, request: ProbeRequest, sendTestEmail: boolean): Promise<ProbeResult> {
    const issues: FieldIssue[] = validateProbeRequest(request);
    if (issues.length) throw validationError(issues);
    const wait = this.testLimiter.take(company.id);
    if (wait) throw new AppError('RATE_LIMITED', `Too many connection tests for this company; try again in ${wait} seconds.`, { details: { retryAfterSeconds: wait } });
    if (sendTestEmail) {
      const emailWait = this.emailLimiter.take(company.id);
      if (emailWait) throw new AppError('RATE_LIMITED', `Too many test emails for this company; try again in ${Math.ceil(emailWait / 60)} minutes.`, { details: { retryAfterSeconds: emailWait } });
    }
    return this.prober.probe(request);
  }

  private requestFor(server: Pick<MailServer, 'host' | 'port' | 'security' | 'authEnabled' | 'authMechanism' | 'username' | 'fromAddress' | 'allowInvalidCert'>, password: string | null, to: string, sendTestMessage: boolean): ProbeRequest {
    return {
      host: server.host, port: server.port, security: server.security,
      auth: server.authEnabled ? { mechanism: server.authMechanism, username: server.username ?? '', password: password ?? '' } : null,
      from: server.fromAddress || undefined, to, sendTestMessage, allowInvalidCert: server.allowInvalidCert,
    };
  }

  /**
   * Who may receive a test email: the signed-in admin, another person of the company, or one of its
   * verified sender addresses. Never an arbitrary address — that would make the button a way to
   * send mail to anyone.
   */
  private async recipient(principal: Principal, company: Company, server: Pick<MailServer, 'fromAddress'>, options: TestOptions): Promise<string> {
    const own = principal.kind === 'user' ? principal.user.email : null;
    const wanted = options.to?.trim() || own || server.fromAddress;
    if (!options.sendTestEmail && !options.to) return wanted;
    const parsed = parseEmailAddress(wanted);
    if (!parsed.ok) throw validationError([{ field: 'to', rule: 'email', message: parsed.reason }]);
    const people = (await this.store.users.listByCompany(company.id)).map((u) => u.email.toLowerCase());
    if (own) people.push(own.toLowerCase());
    // A verified sender address proved its mailbox is the company's (a shared inbox like support@).
    const sender = await this.store.senderAddresses.getByAddress(company.id, parsed.value.address.toLowerCase());
    if (!people.includes(parsed.value.address.toLowerCase()) && !isProvenSender(sender)) {
      throw validationError([{ field: 'to', rule: 'test_recipient', message: 'a test email can go only to your own address, a person of this company or one of its verified sender addresses' }]);
    }
    return parsed.value.address;
  }
}
