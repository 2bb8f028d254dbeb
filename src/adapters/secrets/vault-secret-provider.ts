// `vault:PATH#KEY` — a secret read from HashiCorp Vault's KV version 2 engine through its documented
// HTTP API (GET /v1/{mount}/data/{path}, https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2).
// Vault publishes no official Node client; the API is one authenticated GET, so plain fetch is used.
//
// Scoping. The reference path is always placed under `{prefix}/{companySlug}/`, and it may not start
// with "/", hold empty, "." or ".." segments, or any character that could be decoded into one — so a
// reference can only ever reach the company's own prefix. KEY defaults to "password".
import type { SecretProvider, SecretScope } from '../../core/ports.ts';
import {
  DEFAULT_REQUEST_TIMEOUT_MS, callSecretManager, checkBaseUrl, isRecord, parseJsonAnswer, silentLogger,
  type HttpSecretProviderDeps, type SecretManagerCall,
} from './secret-manager-http.ts';
import { configSegments, invalidReference, relativeSegments, scopeSlug, unresolvedReference } from './secret-reference-rules.ts';

export interface VaultSecretProviderConfig {
  /** Vault's address, e.g. https://vault.example.com:8200. */
  addr: string;
  token: string;
  /** Where the KV v2 engine is mounted. Default "secret". */
  mount?: string;
  /** The folder holding one sub-folder per company slug. Default "mailroom". */
  prefix?: string;
  /** Vault Enterprise / HCP namespace, sent as X-Vault-Namespace. */
  namespace?: string;
  timeoutMs?: number;
}

const DEFAULT_KEY = 'password';
/** The key only indexes Vault's JSON answer, so any text will do; the cap bounds what messages echo. */
const MAX_KEY_LENGTH = 256;
const MANAGER = 'Vault';

export class VaultSecretProvider implements SecretProvider {
  readonly scheme = 'vault';
  readonly #addr: string;
  readonly #token: string;
  readonly #mountSegments: string[];
  readonly #prefixSegments: string[];
  readonly #namespace: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #logger;

  constructor(config: VaultSecretProviderConfig, deps: HttpSecretProviderDeps = {}) {
    this.#addr = checkBaseUrl('MAILROOM_VAULT_ADDR', config.addr);
    if (!config.token) throw new Error('invalid configuration: MAILROOM_VAULT_TOKEN is required for Vault');
    this.#token = config.token;
    this.#mountSegments = configSegments('MAILROOM_VAULT_MOUNT', config.mount ?? 'secret');
    this.#prefixSegments = configSegments('MAILROOM_VAULT_PREFIX', config.prefix ?? 'mailroom');
    this.#namespace = config.namespace || undefined;
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#fetch = deps.fetch ?? fetch;
    this.#logger = (deps.logger ?? silentLogger).child({ secretProvider: this.scheme });
  }

  async resolve(path: string, scope: SecretScope): Promise<string> {
    const hash = path.indexOf('#');
    const secretPath = hash === -1 ? path : path.slice(0, hash);
    const key = hash === -1 ? DEFAULT_KEY : path.slice(hash + 1);
    if (key === '') throw invalidReference(this.scheme, path, 'has an empty key after "#"');
    if (key.length > MAX_KEY_LENGTH) throw invalidReference(this.scheme, path, `has a key longer than ${MAX_KEY_LENGTH} characters`);
    const segments = relativeSegments(this.scheme, path, secretPath);
    const slug = scopeSlug(this.scheme, path, scope);

    const location = [...this.#prefixSegments, slug, ...segments];
    const url = `${this.#addr}/v1/${this.#mountSegments.map(encodeURIComponent).join('/')}/data/${location.map(encodeURIComponent).join('/')}`;
    const headers: Record<string, string> = {
      'X-Vault-Token': this.#token,
      // Vault Agent and Proxy with require_request_header refuse requests without it (an SSRF guard).
      'X-Vault-Request': 'true',
      Accept: 'application/json',
    };
    if (this.#namespace) headers['X-Vault-Namespace'] = this.#namespace;

    const call: SecretManagerCall = { fetch: this.#fetch, timeoutMs: this.#timeoutMs, manager: MANAGER, scheme: this.scheme, path };
    const answer = await callSecretManager(call, url, { method: 'GET', headers });
    if (answer.status === 404) {
      throw unresolvedReference(this.scheme, path, isDeletedVersion(answer.body)
        ? 'could not be resolved: the latest version of this Vault secret is deleted'
        : 'could not be resolved: Vault has no such secret');
    }
    if (answer.status === 401 || answer.status === 403) {
      this.#logger.warn({ status: answer.status }, 'Vault refused the token for a secret read');
      throw unresolvedReference(this.scheme, path, 'could not be resolved: Vault denied access (check the token and its policy)');
    }
    if (answer.status === 503) throw unresolvedReference(this.scheme, path, 'could not be resolved: Vault is sealed or unavailable (HTTP 503)');
    if (answer.status !== 200) throw unresolvedReference(this.scheme, path, `could not be resolved: Vault answered HTTP ${answer.status}`);

    const body = parseJsonAnswer(call, answer);
    const outer = isRecord(body) ? body.data : undefined;
    // KV v2 wraps the secret's key/value map in data.data; a deleted or destroyed version has data null.
    const values = isRecord(outer) ? outer.data : undefined;
    if (values === null) throw unresolvedReference(this.scheme, path, 'could not be resolved: the latest version of this Vault secret is deleted');
    if (!isRecord(values)) throw unresolvedReference(this.scheme, path, 'could not be resolved: Vault answered without a KV version 2 secret (is the mount KV v2?)');
    if (!Object.hasOwn(values, key)) throw unresolvedReference(this.scheme, path, `could not be resolved: the Vault secret has no key ${JSON.stringify(key)}`);
    const value = values[key];
    if (typeof value !== 'string') throw unresolvedReference(this.scheme, path, `could not be resolved: key ${JSON.stringify(key)} of the Vault secret is not text`);
    if (value === '') throw unresolvedReference(this.scheme, path, `could not be resolved: key ${JSON.stringify(key)} of the Vault secret is empty`);
    return value;
  }
}

/** KV v2 answers 404 for a soft-deleted latest version too, with its metadata (deletion_time set). */
function isDeletedVersion(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    const data = isRecord(parsed) ? parsed.data : undefined;
    const metadata = isRecord(data) ? data.metadata : undefined;
    return isRecord(metadata) && ((typeof metadata.deletion_time === 'string' && metadata.deletion_time !== '') || metadata.destroyed === true);
  } catch {
    return false;
  }
}
