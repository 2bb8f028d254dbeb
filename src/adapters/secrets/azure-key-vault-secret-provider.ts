// `azure:NAME` or `azure:NAME/VERSION` — a secret read from Azure Key Vault.
//
// Why the REST API and not @azure/keyvault-secrets: the official SDK refuses to send a bearer token to
// a plain-http endpoint and checks Key Vault's authentication challenge against real Azure host names,
// so it cannot be pointed at a local stand-in and this provider could not be tested end to end on one
// machine. The two calls it needs are documented and stable:
//   - OAuth2 client credentials, https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
//   - Get Secret, https://learn.microsoft.com/rest/api/keyvault/secrets/get-secret/get-secret (api-version 7.4)
//
// Scoping. The name in Key Vault is `{companySlug}--{NAME}`. Key Vault names allow only letters, digits
// and dashes, so the separator cannot be "/" — and a single dash would be ambiguous: company "acme"
// with NAME "eu-smtp" and company "acme-eu" with NAME "smtp" would both give "acme-eu-smtp". Slugs
// never contain "--" (COMPANY_SLUG_PATTERN), so the first "--" always marks where the slug ends and
// no company can name another company's secret.
import type { SecretProvider, SecretScope } from '../../core/ports.ts';
import { AccessTokenCache, type SignInOutcome } from './access-token-cache.ts';
import {
  DEFAULT_REQUEST_TIMEOUT_MS, SecretManagerUnreachable, callSecretManager, checkBaseUrl, isRecord, parseJsonAnswer,
  requestSecretManager, silentLogger, type HttpSecretProviderDeps, type SecretManagerAnswer, type SecretManagerCall,
} from './secret-manager-http.ts';
import { invalidReference, scopeSlug, unresolvedReference } from './secret-reference-rules.ts';

export interface AzureKeyVaultSecretProviderConfig {
  /** e.g. https://my-vault.vault.azure.net */
  vaultUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Default https://login.microsoftonline.com; other clouds have their own. */
  authorityHost?: string;
  timeoutMs?: number;
}

export const DEFAULT_AZURE_AUTHORITY_HOST = 'https://login.microsoftonline.com';
const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';
const API_VERSION = '7.4';
/** Key Vault names: 1–127 letters, digits and dashes. */
const MAX_SECRET_NAME_LENGTH = 127;
const NAME_SHAPE = /^[0-9A-Za-z][0-9A-Za-z-]*$/;
const VERSION_SHAPE = /^[0-9a-fA-F]{32}$/;
const SCOPE_SEPARATOR = '--';
/** Entra ID tokens last about an hour; renewing two minutes early keeps one from expiring in flight. */
const TOKEN_RENEW_BEFORE_EXPIRY_MS = 2 * 60_000;
const MANAGER = 'Azure Key Vault';
const SIGN_IN = 'Microsoft Entra ID';

export class AzureKeyVaultSecretProvider implements SecretProvider {
  readonly scheme = 'azure';
  readonly #vaultUrl: string;
  readonly #tokenUrl: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #logger;
  readonly #tokens: AccessTokenCache;

  constructor(config: AzureKeyVaultSecretProviderConfig, deps: HttpSecretProviderDeps = {}) {
    this.#vaultUrl = checkBaseUrl('MAILROOM_AZURE_VAULT_URL', config.vaultUrl);
    const authorityHost = checkBaseUrl('MAILROOM_AZURE_AUTHORITY_HOST', config.authorityHost || DEFAULT_AZURE_AUTHORITY_HOST);
    if (!config.tenantId) throw new Error('invalid configuration: MAILROOM_AZURE_TENANT_ID is required for Azure Key Vault');
    if (!config.clientId) throw new Error('invalid configuration: MAILROOM_AZURE_CLIENT_ID is required for Azure Key Vault');
    if (!config.clientSecret) throw new Error('invalid configuration: MAILROOM_AZURE_CLIENT_SECRET is required for Azure Key Vault');
    this.#tokenUrl = `${authorityHost}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`;
    this.#clientId = config.clientId;
    this.#clientSecret = config.clientSecret;
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#fetch = deps.fetch ?? fetch;
    this.#logger = (deps.logger ?? silentLogger).child({ secretProvider: this.scheme });
    this.#tokens = new AccessTokenCache(() => this.#signIn(), deps.now);
  }

  async resolve(path: string, scope: SecretScope): Promise<string> {
    const { name, version } = parseReference(this.scheme, path);
    const slug = scopeSlug(this.scheme, path, scope);
    const scopedName = `${slug}${SCOPE_SEPARATOR}${name}`;
    if (scopedName.length > MAX_SECRET_NAME_LENGTH) {
      throw invalidReference(this.scheme, path, `gives a Key Vault name longer than ${MAX_SECRET_NAME_LENGTH} characters with the company prefix`);
    }
    const url = `${this.#vaultUrl}/secrets/${scopedName}${version ? `/${version}` : ''}?api-version=${API_VERSION}`;
    const call: SecretManagerCall = { fetch: this.#fetch, timeoutMs: this.#timeoutMs, manager: MANAGER, scheme: this.scheme, path };

    let answer = await this.#getWithToken(call, url);
    if (answer.status === 401) {
      // A cached token can be refused before its stated expiry (revoked, clock skew); one fresh try.
      this.#logger.info({}, 'Azure Key Vault refused the cached access token; signing in again');
      answer = await this.#getWithToken(call, url);
    }
    if (answer.status === 404) throw unresolvedReference(this.scheme, path, 'could not be resolved: Azure Key Vault has no such secret');
    if (answer.status === 401) throw unresolvedReference(this.scheme, path, 'could not be resolved: Azure Key Vault did not accept the access token');
    if (answer.status === 403) {
      const disabled = errorCodes(answer).includes('SecretDisabled');
      throw unresolvedReference(this.scheme, path, disabled
        ? 'could not be resolved: the Azure Key Vault secret is disabled'
        : 'could not be resolved: Azure Key Vault denied access (check the access policy or role assignment)');
    }
    if (answer.status !== 200) throw unresolvedReference(this.scheme, path, `could not be resolved: Azure Key Vault answered HTTP ${answer.status}`);

    const body = parseJsonAnswer(call, answer);
    const value = isRecord(body) ? body.value : undefined;
    if (typeof value !== 'string') throw unresolvedReference(this.scheme, path, 'could not be resolved: Azure Key Vault answered without a secret value');
    if (value === '') throw unresolvedReference(this.scheme, path, 'could not be resolved: the Azure Key Vault secret is empty');
    return value;
  }

  async #getWithToken(call: SecretManagerCall, url: string): Promise<SecretManagerAnswer> {
    const token = await this.#tokens.get();
    if (!token.ok) throw unresolvedReference(call.scheme, call.path, `could not be resolved: ${token.reason}`, token.cause);
    const answer = await callSecretManager(call, url, {
      method: 'GET',
      headers: { Authorization: `Bearer ${token.token}`, Accept: 'application/json' },
    });
    if (answer.status === 401) this.#tokens.invalidate(token.token);
    return answer;
  }

  async #signIn(): Promise<SignInOutcome> {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.#clientId,
      client_secret: this.#clientSecret,
      scope: KEY_VAULT_SCOPE,
    });
    let answer: SecretManagerAnswer;
    try {
      answer = await requestSecretManager({ fetch: this.#fetch, timeoutMs: this.#timeoutMs, manager: SIGN_IN }, this.#tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
      });
    } catch (err) {
      if (err instanceof SecretManagerUnreachable) return { ok: false, reason: `signing in to Azure failed: ${err.reason}`, cause: err.cause };
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      body = undefined;
    }
    if (answer.status !== 200) {
      // Entra ID's error codes ("invalid_client", "unauthorized_client") are safe to show and say what
      // to fix; its error_description is left out — it is long and carries trace identifiers.
      const code = isRecord(body) && typeof body.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? ` (${body.error})` : '';
      this.#logger.warn({ status: answer.status, error: code.slice(2, -1) || undefined }, 'Microsoft Entra ID refused the Key Vault sign-in');
      return { ok: false, reason: `signing in to Azure failed: ${SIGN_IN} refused the client credentials, HTTP ${answer.status}${code}` };
    }
    const token = isRecord(body) ? body.access_token : undefined;
    const expiresInSeconds = isRecord(body) ? Number(body.expires_in) : Number.NaN;
    if (typeof token !== 'string' || token === '' || !Number.isFinite(expiresInSeconds)) {
      return { ok: false, reason: `signing in to Azure failed: ${SIGN_IN} answered without an access token` };
    }
    this.#logger.debug({ expiresInSeconds }, 'obtained an Azure Key Vault access token');
    return { ok: true, token, reuseForMs: expiresInSeconds * 1000 - TOKEN_RENEW_BEFORE_EXPIRY_MS };
  }
}

function parseReference(scheme: string, path: string): { name: string; version: string | undefined } {
  const parts = path.split('/');
  if (parts.length > 2) throw invalidReference(scheme, path, 'must be NAME or NAME/VERSION');
  const [name = '', version] = parts;
  if (!NAME_SHAPE.test(name)) {
    throw invalidReference(scheme, path, 'must name a Key Vault secret with letters, digits and dashes only, starting with a letter or digit');
  }
  if (version !== undefined && !VERSION_SHAPE.test(version)) {
    throw invalidReference(scheme, path, 'has a version that is not a Key Vault version id (32 hexadecimal characters)');
  }
  return { name, version };
}

function errorCodes(answer: SecretManagerAnswer): string[] {
  try {
    const body: unknown = JSON.parse(answer.body);
    const error = isRecord(body) ? body.error : undefined;
    const inner = isRecord(error) ? error.innererror : undefined;
    return [isRecord(error) ? error.code : undefined, isRecord(inner) ? inner.code : undefined].filter((c): c is string => typeof c === 'string');
  } catch {
    return [];
  }
}
