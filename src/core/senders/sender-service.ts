// Sender addresses (seed 004 "From Address Verification ... Sender Addresses and Group Emails"): the
// addresses a company sends as. Adding one emails a link to it; opening the link proves that someone
// who reads that mailbox agreed, and only then may the built-in service send as it.
//
// The link carries a random 32-byte token; only its sha-256 is stored, so a copy of the database
// cannot verify anything. A token works once (it is cleared when used), a newer one replaces it, and
// it expires. Sending is rate-limited per address: "add" and "resend" must not become a way to
// flood someone's mailbox (the same reason as "send test email", Ghost PR #17505).
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-recorder.ts';
import { FixedWindowLimiter } from '../diagnostics/fixed-window-limiter.ts';
import { AppError, validationError, type FieldIssue } from '../errors.ts';
import type { Company, Principal } from '../model.ts';
import type { Clock, Store } from '../ports.ts';
import { actorOf, requireAdmin, type Actor } from '../tenancy/access-policy.ts';
import { parseEmailAddress } from '../validation/email-address.ts';
import { headerUnsafeReason } from '../validation/header-safety.ts';
import { SENDER_KINDS, type SenderAddress, type SenderKind } from './sender-model.ts';
import type { VerificationMailer } from './verification-mailer.ts';

export interface SenderInput {
  address?: string;
  displayName?: string | null;
  kind?: string;
}

export interface SenderServiceOptions {
  /** How long an emailed link works. */
  linkTtlMs: number;
  /** Verification emails per address and window, adds and resends together. */
  emailsPerWindow: number;
  emailWindowMs: number;
}

export const DEFAULT_SENDER_SERVICE_OPTIONS: SenderServiceOptions = {
  linkTtlMs: 24 * 3600_000,
  emailsPerWindow: 5,
  emailWindowMs: 3600_000,
};

export interface SenderServiceDeps {
  store: Store;
  clock: Clock;
  mailer: VerificationMailer;
  /** Where people reach the UI (MAILROOM_PUBLIC_URL): the link is `<publicUrl>/verify-sender?token=…`. */
  publicUrl: string;
}

export const VERIFY_SENDER_PATH = '/verify-sender';
const TOKEN_BYTES = 32;
const MAX_DISPLAY_NAME = 200;
/** base64url of 32 bytes is 43 characters; anything much longer is not one of ours. */
const MAX_TOKEN_LENGTH = 200;
/** The one who opens the link may have no account: the audit log names the link instead. */
const LINK_ACTOR: Actor = { type: 'system', id: null, label: 'Verification link' };

const hashToken = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest('hex');

export class SenderService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly mailer: VerificationMailer;
  private readonly publicUrl: string;
  private readonly options: SenderServiceOptions;
  private readonly emailLimiter: FixedWindowLimiter;

  constructor(deps: SenderServiceDeps, options: Partial<SenderServiceOptions> = {}) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.mailer = deps.mailer;
    this.publicUrl = deps.publicUrl.replace(/\/+$/, '');
    this.options = { ...DEFAULT_SENDER_SERVICE_OPTIONS, ...options };
    this.emailLimiter = new FixedWindowLimiter({ limit: this.options.emailsPerWindow, windowMs: this.options.emailWindowMs, clock: deps.clock });
  }

  async list(principal: Principal, company: Company): Promise<SenderAddress[]> {
    requireAdmin(principal);
    return this.store.senderAddresses.listByCompany(company.id);
  }

  async get(principal: Principal, company: Company, id: string): Promise<SenderAddress> {
    requireAdmin(principal);
    return this.senderOf(company, id);
  }

  /** Lists the address as pending and emails it a link. 409 when the company already lists it. */
  async add(principal: Principal, company: Company, input: SenderInput): Promise<SenderAddress> {
    requireAdmin(principal);
    const { address, displayName, kind } = validateInput(input);
    if (await this.store.senderAddresses.getByAddress(company.id, address)) throw alreadyListed(address);
    this.takeEmail(address);

    const actor = actorOf(principal);
    const now = this.clock.now();
    const { token, hash, expiresAt } = this.newToken(now);
    const sender: SenderAddress = {
      id: crypto.randomUUID(), companyId: company.id, address, displayName, kind, status: 'pending', tokenHash: hash, tokenExpiresAt: expiresAt,
      verifiedAt: null, linkRoute: null, createdBy: actor.label, createdAt: now.toISOString(), updatedAt: now.toISOString(),
    };
    try {
      await this.store.senderAddresses.insert(sender);
    } catch (err) {
      // Two adds of the same address at once: the unique index lets one through.
      if (await this.store.senderAddresses.getByAddress(company.id, address)) throw alreadyListed(address);
      throw err;
    }
    try {
      const { route } = await this.mailer.sendVerification({ company, address, displayName, kind, requestedBy: actor.label, link: this.linkFor(token), expiresAt });
      sender.linkRoute = route;
      await this.store.senderAddresses.update(sender);
    } catch (err) {
      // Nothing was sent, so nothing is listed: adding again is the way to retry.
      await this.store.senderAddresses.delete(sender.id);
      throw err;
    }
    await recordAudit(this.store, this.clock, actor, { companyId: company.id, action: 'sender_address.added', targetType: 'sender_address', targetId: sender.id, details: { address, kind } });
    return sender;
  }

  /** A new link; the previous one stops working at once. */
  async resend(principal: Principal, company: Company, id: string): Promise<SenderAddress> {
    requireAdmin(principal);
    const current = await this.senderOf(company, id);
    // An address verified only in the catcher may be verified again, for real.
    if (isProvenSender(current)) throw new AppError('CONFLICT', `${current.address} is already verified.`);
    this.takeEmail(current.address);

    const actor = actorOf(principal);
    const now = this.clock.now();
    const { token, hash, expiresAt } = this.newToken(now);
    const sender: SenderAddress = { ...current, status: 'pending', verifiedAt: null, tokenHash: hash, tokenExpiresAt: expiresAt, updatedAt: now.toISOString() };
    // Stored before sending: a link in someone's inbox always matches a stored token. If sending
    // fails, the old link is already dead and "Resend" is the way to retry.
    await this.store.senderAddresses.update(sender);
    const { route } = await this.mailer.sendVerification({
      company, address: sender.address, displayName: sender.displayName, kind: sender.kind, requestedBy: actor.label, link: this.linkFor(token), expiresAt,
    });
    sender.linkRoute = route;
    await this.store.senderAddresses.update(sender);
    await recordAudit(this.store, this.clock, actor, { companyId: company.id, action: 'sender_address.verification_resent', targetType: 'sender_address', targetId: sender.id, details: { address: sender.address } });
    return sender;
  }

  async delete(principal: Principal, company: Company, id: string): Promise<void> {
    requireAdmin(principal);
    const sender = await this.senderOf(company, id);
    await this.store.transaction(async (tx) => {
      await tx.senderAddresses.delete(sender.id);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'sender_address.deleted', targetType: 'sender_address', targetId: sender.id, details: { address: sender.address, status: sender.status } });
    });
  }

  /**
   * Opens a link: no sign-in, the token is the proof. An unknown token and a used one get the same
   * answer (a used token is cleared, so they cannot be told apart — nor should a guesser learn more).
   */
  async verify(token: string): Promise<SenderAddress> {
    const text = typeof token === 'string' ? token.trim() : '';
    if (!text || text.length > MAX_TOKEN_LENGTH) throw new AppError('VERIFICATION_LINK_INVALID');
    const now = this.clock.now();
    const found = await this.store.senderAddresses.getByTokenHash(hashToken(text));
    if (!found || found.status !== 'pending' || !found.tokenExpiresAt) throw new AppError('VERIFICATION_LINK_INVALID');
    if (now.getTime() >= Date.parse(found.tokenExpiresAt)) throw new AppError('VERIFICATION_LINK_EXPIRED');
    const verified: SenderAddress = { ...found, status: 'verified', tokenHash: null, tokenExpiresAt: null, verifiedAt: now.toISOString(), updatedAt: now.toISOString() };
    // Two clicks racing on the same link both end in the same state (verified, token cleared).
    await this.store.transaction(async (tx) => {
      await tx.senderAddresses.update(verified);
      await recordAudit(tx, this.clock, LINK_ACTOR, { companyId: found.companyId, action: 'sender_address.verified', targetType: 'sender_address', targetId: found.id, details: { address: found.address } });
    });
    return verified;
  }

  /** Whether the company listed this address and a link that really left was opened (case-insensitive). */
  async isVerified(companyId: string, address: string): Promise<boolean> {
    const sender = await this.store.senderAddresses.getByAddress(companyId, address.trim().toLowerCase());
    return isProvenSender(sender);
  }

  private async senderOf(company: Company, id: string): Promise<SenderAddress> {
    const sender = await this.store.senderAddresses.get(id);
    // Another company's address is reported as absent, like every other resource.
    if (!sender || sender.companyId !== company.id) throw new AppError('NOT_FOUND', 'Sender address not found.');
    return sender;
  }

  private takeEmail(address: string): void {
    // Keyed by the address alone, across companies: the limit protects the mailbox, whoever asks.
    const wait = this.emailLimiter.take(address);
    if (wait) {
      const minutes = Math.ceil(wait / 60);
      throw new AppError('RATE_LIMITED', `Too many verification emails to ${address}; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { details: { retryAfterSeconds: wait } });
    }
  }

  private newToken(now: Date): { token: string; hash: string; expiresAt: string } {
    const token = crypto.randomBytes(TOKEN_BYTES).toString('base64url');
    return { token, hash: hashToken(token), expiresAt: new Date(now.getTime() + this.options.linkTtlMs).toISOString() };
  }

  private linkFor(token: string): string {
    return `${this.publicUrl}${VERIFY_SENDER_PATH}?token=${token}`;
  }
}

function alreadyListed(address: string): AppError {
  return new AppError('CONFLICT', `${address} is already a sender address of this company.`);
}

function validateInput(input: SenderInput): { address: string; displayName: string | null; kind: SenderKind } {
  const issues: FieldIssue[] = [];
  let address = '';
  if (input.address === undefined || input.address === null || input.address.trim() === '') {
    issues.push({ field: 'address', rule: 'required', message: 'must be the email address to send as, e.g. support@example.com' });
  } else {
    const parsed = parseEmailAddress(input.address);
    if (parsed.ok) address = parsed.value.address.toLowerCase();
    else issues.push({ field: 'address', rule: 'email', message: parsed.reason });
  }
  let displayName: string | null = null;
  if (input.displayName !== undefined && input.displayName !== null && input.displayName.trim() !== '') {
    displayName = input.displayName.trim();
    const unsafe = headerUnsafeReason(displayName);
    if (unsafe) issues.push({ field: 'displayName', rule: 'no_line_breaks', message: unsafe });
    if (displayName.length > MAX_DISPLAY_NAME) issues.push({ field: 'displayName', rule: 'max_length', message: `must be at most ${MAX_DISPLAY_NAME} characters` });
  }
  const kind = input.kind ?? 'person';
  if (!(SENDER_KINDS as readonly string[]).includes(kind)) issues.push({ field: 'kind', rule: 'enum', message: `must be ${SENDER_KINDS.join(' or ')}` });
  if (issues.length) throw validationError(issues);
  return { address, displayName, kind: kind as SenderKind };
}

/** Verified through a link that left the machine: one only caught was readable by the company's admins. */
export function isProvenSender(sender: SenderAddress | undefined): boolean {
  return sender?.status === 'verified' && sender.linkRoute !== 'catch';
}
