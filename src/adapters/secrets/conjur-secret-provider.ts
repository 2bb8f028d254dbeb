// `conjur:PATH` — a variable read from CyberArk Conjur (Open Source, Enterprise / Secrets Manager
// Self-Hosted, and Conjur Cloud) through its documented REST API:
//   - Authenticate, POST /authn/{account}/{login}/authenticate with the API key as body
//     https://docs.cyberark.com/conjur-open-source/latest/en/content/developer/conjur_api_authenticate.htm
//   - Retrieve a secret, GET /secrets/{account}/variable/{id}
//     https://docs.cyberark.com/conjur-open-source/latest/en/content/developer/conjur_api_retrieve_secret.htm
// CyberArk's Node client is unmaintained, and the API is two calls, so plain fetch is used.
//
// Scoping. The variable id is always `{prefix}/{companySlug}/{PATH}`; PATH may not start with "/" or
// hold empty, "." or ".." segments, so a reference only ever reaches the company's own variables.
import type { SecretProvider, SecretScope } from '../../core/ports.ts';
import { AccessTokenCache, type SignInOutcome } from './access-token-cache.ts';
import {
  DEFAULT_REQUEST_TIMEOUT_MS, SecretManagerUnreachable, callSecretManager, checkBaseUrl, requestSecretManager,
  silentLogger, type HttpSecretProviderDeps, type SecretManagerAnswer, type SecretManagerCall,
} from './secret-manager-http.ts';
import {
  MAX_SECRET_VALUE_BYTES, configSegments, relativeSegments, scopeSlug, unresolvedReference,
} from './secret-reference-rules.ts';

export interface ConjurSecretProviderConfig {
  /** The appliance URL, e.g. https://conjur.example.com (Conjur Cloud: https://TENANT.secretsmgr.cyberark.cloud/api). */
  url: string;
  account: string;
  /** The host or user Mailroom signs in as, e.g. "host/mailroom/app". */
  login: string;
  apiKey: string;
  /** The policy branch holding one branch per company slug. Default "mailroom". */
  prefix?: string;
  timeoutMs?: number;
}

/** Conjur access tokens last 8 minutes; reusing one for 7 leaves a minute for requests in flight. */
export const CONJUR_TOKEN_REUSE_MS = 7 * 60_000;
const MANAGER = 'Conjur';
const ACCOUNT_SHAPE = /^[A-Za-z0-9_.-]+$/;

export class ConjurSecretProvider implements SecretProvider {
  readonly scheme = 'conjur';
  readonly #url: string;
  readonly #account: string;
  readonly #login: string;
  readonly #apiKey: string;
  readonly #prefixSegments: string[];
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #logger;
  readonly #tokens: AccessTokenCache;

  constructor(config: ConjurSecretProviderConfig, deps: HttpSecretProviderDeps = {}) {
    this.#url = checkBaseUrl('MAILROOM_CONJUR_URL', config.url);
    if (!config.account || !ACCOUNT_SHAPE.test(config.account)) {
      throw new Error('invalid configuration: MAILROOM_CONJUR_ACCOUNT is required (letters, digits, ".", "_" and "-")');
    }
    if (!config.login) throw new Error('invalid configuration: MAILROOM_CONJUR_LOGIN is required for Conjur');
    if (!config.apiKey) throw new Error('invalid configuration: MAILROOM_CONJUR_API_KEY is required for Conjur');
    this.#account = config.account;
    this.#login = config.login;
    this.#apiKey = config.apiKey;
    this.#prefixSegments = configSegments('MAILROOM_CONJUR_PREFIX', config.prefix ?? 'mailroom');
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#fetch = deps.fetch ?? fetch;
    this.#logger = (deps.logger ?? silentLogger).child({ secretProvider: this.scheme });
    this.#tokens = new AccessTokenCache(() => this.#authenticate(), deps.now);
  }

  async resolve(path: string, scope: SecretScope): Promise<string> {
    const segments = relativeSegments(this.scheme, path);
    const slug = scopeSlug(this.scheme, path, scope);
    const variableId = [...this.#prefixSegments, slug, ...segments].join('/');
    // The whole id is one URL-encoded path parameter: its slashes travel as %2F.
    const url = `${this.#url}/secrets/${encodeURIComponent(this.#account)}/variable/${encodeURIComponent(variableId)}`;
    const call: SecretManagerCall = { fetch: this.#fetch, timeoutMs: this.#timeoutMs, manager: MANAGER, scheme: this.scheme, path };

    let answer = await this.#getWithToken(call, url);
    if (answer.status === 401) {
      // A cached token can be refused before our 7 minutes are up (clock skew, a restarted server).
      this.#logger.info({}, 'Conjur refused the cached access token; authenticating again');
      answer = await this.#getWithToken(call, url);
    }
    if (answer.status === 404) {
      throw unresolvedReference(this.scheme, path, 'could not be resolved: Conjur has no such variable, or it holds no value yet');
    }
    if (answer.status === 401) throw unresolvedReference(this.scheme, path, 'could not be resolved: Conjur did not accept the access token');
    if (answer.status === 403) {
      throw unresolvedReference(this.scheme, path, 'could not be resolved: Conjur denied access (the login needs execute permission on the variable)');
    }
    if (answer.status !== 200) throw unresolvedReference(this.scheme, path, `could not be resolved: Conjur answered HTTP ${answer.status}`);
    if (Buffer.byteLength(answer.body) > MAX_SECRET_VALUE_BYTES) {
      throw unresolvedReference(this.scheme, path, `could not be resolved: the Conjur variable is larger than ${MAX_SECRET_VALUE_BYTES / 1024} KiB`);
    }
    if (answer.body === '') throw unresolvedReference(this.scheme, path, 'could not be resolved: the Conjur variable is empty');
    return answer.body;
  }

  async #getWithToken(call: SecretManagerCall, url: string): Promise<SecretManagerAnswer> {
    const token = await this.#tokens.get();
    if (!token.ok) throw unresolvedReference(call.scheme, call.path, `could not be resolved: ${token.reason}`, token.cause);
    const answer = await callSecretManager(call, url, {
      method: 'GET',
      headers: { Authorization: `Token token="${token.token}"` },
    });
    if (answer.status === 401) this.#tokens.invalidate(token.token);
    return answer;
  }

  async #authenticate(): Promise<SignInOutcome> {
    const url = `${this.#url}/authn/${encodeURIComponent(this.#account)}/${encodeURIComponent(this.#login)}/authenticate`;
    let answer: SecretManagerAnswer;
    try {
      answer = await requestSecretManager({ fetch: this.#fetch, timeoutMs: this.#timeoutMs, manager: MANAGER }, url, {
        method: 'POST',
        // Conjur takes the API key as the raw body; text/plain keeps fetch from adding a form type.
        headers: { 'Content-Type': 'text/plain', 'Accept-Encoding': 'base64' },
        body: this.#apiKey,
      });
    } catch (err) {
      if (err instanceof SecretManagerUnreachable) return { ok: false, reason: `authenticating to Conjur failed: ${err.reason}`, cause: err.cause };
      throw err;
    }
    if (answer.status === 401 || answer.status === 403) {
      this.#logger.warn({ status: answer.status }, 'Conjur refused the login and API key');
      return { ok: false, reason: `authenticating to Conjur failed: the login or API key was refused (HTTP ${answer.status})` };
    }
    if (answer.status !== 200) return { ok: false, reason: `authenticating to Conjur failed: Conjur answered HTTP ${answer.status}` };
    const token = headerToken(answer.body.trim());
    if (token === undefined) return { ok: false, reason: 'authenticating to Conjur failed: Conjur answered without an access token' };
    this.#logger.debug({ reuseForSeconds: CONJUR_TOKEN_REUSE_MS / 1000 }, 'obtained a Conjur access token');
    return { ok: true, token, reuseForMs: CONJUR_TOKEN_REUSE_MS };
  }
}

/**
 * The Authorization header carries the token base64-encoded. Asked with `Accept-Encoding: base64`,
 * Conjur sends it encoded already; a server or proxy that ignores the request sends the raw JSON
 * token, which is then encoded here, byte for byte, as Conjur expects.
 */
function headerToken(body: string): string | undefined {
  if (body === '') return undefined;
  if (body.startsWith('{')) return Buffer.from(body, 'utf8').toString('base64');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(body) ? body : undefined;
}
