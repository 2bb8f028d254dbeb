// A short-lived access token shared by every lookup of one provider (Azure Key Vault, Conjur): obtained
// once, reused until shortly before it expires, and obtained by one request even when many lookups
// need it at the same moment (a queue draining after a restart must not hammer the sign-in endpoint).

/** A sign-in either gives a token or a reason in plain words; it never throws, so that each waiting
 * lookup can report the failure under its own reference. */
export type SignInOutcome =
  | { ok: true; token: string; reuseForMs: number }
  | { ok: false; reason: string; cause?: unknown };

export type TokenOutcome = { ok: true; token: string } | { ok: false; reason: string; cause?: unknown };

export class AccessTokenCache {
  readonly #signIn: () => Promise<SignInOutcome>;
  readonly #now: () => number;
  #current: { token: string; reuseUntilMs: number } | undefined;
  #pending: Promise<TokenOutcome> | undefined;

  constructor(signIn: () => Promise<SignInOutcome>, now: () => number = Date.now) {
    this.#signIn = signIn;
    this.#now = now;
  }

  async get(): Promise<TokenOutcome> {
    const current = this.#current;
    if (current && this.#now() < current.reuseUntilMs) return { ok: true, token: current.token };
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forget a token the manager refused (revoked, or expired early); a newer one is kept. */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #refresh(): Promise<TokenOutcome> {
    this.#current = undefined;
    const outcome = await this.#signIn();
    if (!outcome.ok) return outcome; // failures are not cached: the next lookup tries again
    this.#current = { token: outcome.token, reuseUntilMs: this.#now() + Math.max(0, outcome.reuseForMs) };
    return { ok: true, token: outcome.token };
  }
}
