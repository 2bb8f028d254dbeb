// "Use the built-in service" / "use a custom server": one setting per company, like the seeds'
// radio buttons (002: "Select to use either the Built-in or External mail server"). Switching to a
// custom server runs its connection test first and switches only when it passes (seed 004: test,
// then "Finish configuration"); switching back is one click. Queued mail keeps the way out it was
// accepted with: only new messages follow the setting.
import { recordAudit } from '../audit/audit-recorder.ts';
import type { SavedTestOutcome } from '../diagnostics/connection-test-service.ts';
import { AppError, validationError } from '../errors.ts';
import type { BuiltinDelivery, Company, MailService, Principal } from '../model.ts';
import type { Clock, Store } from '../ports.ts';
import type { MailServerService } from '../servers/mail-server-service.ts';
import { actorOf, requireAdmin, requireSystemAdmin } from '../tenancy/access-policy.ts';

export interface MailServiceState {
  service: MailService;
  /** The server "custom" sends through (the company default). */
  mailServerId: string | null;
  /** What the built-in service does for this company now. */
  builtinDelivery: BuiltinDelivery;
  /** The company's own choice, or null when it follows the instance. */
  builtinDeliveryOverride: BuiltinDelivery | null;
  instanceBuiltinDelivery: BuiltinDelivery;
  /** While the custom server is held by a configuration error, deliver directly instead. */
  fallbackToBuiltin: boolean;
}

export interface MailServiceChange {
  service?: MailService;
  mailServerId?: string | null;
  /** System administrators only: catch or deliver directly for this company; null follows the instance. */
  builtinDelivery?: BuiltinDelivery | null;
  fallbackToBuiltin?: boolean;
}

/** The connection test, as this use case needs it. */
export interface ServerTester {
  testSaved(principal: Principal, company: Company, serverId: string, options: { sendTestEmail: boolean }): Promise<SavedTestOutcome>;
}

export class MailServiceSettings {
  private readonly deps: { store: Store; clock: Clock; servers: MailServerService; tester: ServerTester; instanceBuiltinDelivery: BuiltinDelivery };

  constructor(deps: MailServiceSettings['deps']) {
    this.deps = deps;
  }

  async get(principal: Principal, company: Company): Promise<MailServiceState> {
    requireAdmin(principal);
    const fresh = (await this.deps.store.companies.get(company.id)) ?? company;
    return this.stateOf(fresh);
  }

  /** Returns the new state, and the connection test that allowed a switch to a custom server. */
  async change(principal: Principal, company: Company, change: MailServiceChange): Promise<{ state: MailServiceState; test: SavedTestOutcome | null }> {
    requireAdmin(principal);
    const { store, clock } = this.deps;
    let test: SavedTestOutcome | null = null;
    if (change.builtinDelivery !== undefined) requireSystemAdmin(principal, 'choose how the built-in service delivers');
    if (change.service === 'custom') {
      const current = (await store.companies.get(company.id)) ?? company;
      const serverId = change.mailServerId ?? current.defaultMailServerId;
      if (!serverId) throw validationError([{ field: 'mailServerId', rule: 'required', message: 'choose the mail server to send through' }]);
      let server;
      try {
        server = await this.deps.servers.get(principal, company, serverId);
      } catch (err) {
        // A body field naming nothing is a 400 on that field (as in messages and release), not a 404 of /mail-service.
        if (err instanceof AppError && err.code === 'NOT_FOUND') throw validationError([{ field: 'mailServerId', rule: 'exists', message: 'is not a mail server of this company' }]);
        throw err;
      }
      if (server.status !== 'active') throw validationError([{ field: 'mailServerId', rule: 'active', message: 'names an inactive mail server; activate it first' }]);
      test = await this.deps.tester.testSaved(principal, company, serverId, { sendTestEmail: false });
      if (!test.result.ok) {
        throw new AppError('MAIL_SERVICE_TEST_FAILED', `The connection test failed (${test.result.code}): ${test.result.message}. Nothing was switched; fix the server and try again.`, {
          details: { test: test.result as unknown as Record<string, unknown> },
        });
      }
      change = { ...change, mailServerId: serverId };
    } else if (change.mailServerId !== undefined && change.service !== 'builtin') {
      throw validationError([{ field: 'service', rule: 'required', message: 'say "custom" to send through a mail server' }]);
    }
    await store.transaction(async (tx) => {
      const before = (await tx.companies.get(company.id)) ?? company;
      if (change.service) await tx.companies.setMailService(company.id, change.service, change.service === 'custom' ? change.mailServerId : undefined);
      if (change.builtinDelivery !== undefined) await tx.companies.setBuiltinDelivery(company.id, change.builtinDelivery);
      if (change.fallbackToBuiltin !== undefined) await tx.companies.setFallbackToBuiltin(company.id, change.fallbackToBuiltin);
      await recordAudit(tx, clock, actorOf(principal), {
        companyId: company.id, action: 'company.mail_service_changed', targetType: 'company', targetId: company.id,
        details: {
          from: before.mailService, to: change.service ?? before.mailService,
          ...(change.service === 'custom' ? { mailServerId: change.mailServerId, testCode: test?.result.code } : {}),
          ...(change.builtinDelivery !== undefined ? { builtinDelivery: change.builtinDelivery } : {}),
          ...(change.fallbackToBuiltin !== undefined ? { fallbackToBuiltin: change.fallbackToBuiltin } : {}),
        },
      });
    });
    return { state: this.stateOf((await store.companies.get(company.id))!), test };
  }

  private stateOf(company: Company): MailServiceState {
    return {
      service: company.mailService,
      mailServerId: company.defaultMailServerId,
      builtinDelivery: company.builtinDelivery ?? this.deps.instanceBuiltinDelivery,
      builtinDeliveryOverride: company.builtinDelivery,
      instanceBuiltinDelivery: this.deps.instanceBuiltinDelivery,
      fallbackToBuiltin: company.fallbackToBuiltin,
    };
  }
}
