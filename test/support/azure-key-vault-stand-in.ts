// A local stand-in for Azure Key Vault and the Microsoft Entra ID token endpoint it relies on, speaking
// the documented shapes:
//   - POST /{tenant}/oauth2/v2.0/token, form-encoded client credentials →
//     {token_type:"Bearer", expires_in, ext_expires_in, access_token}, or {error, error_description}
//   - GET /secrets/{name}[/{version}]?api-version=… with "Authorization: Bearer …" →
//     {value, id, attributes}, or {error:{code, message}} with 401 / 403 / 404
// Two servers, as in Azure the sign-in host and the vault are different hosts.
import { randomBytes } from 'node:crypto';
import { sendJson, startLocalHttpServer } from './local-http-server.ts';

export interface AzureKeyVaultStandInOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds?: number;
}

interface StoredVersion {
  version: string;
  value: string;
  enabled: boolean;
  createdSeconds: number;
}

export interface AzureKeyVaultStandIn {
  authorityHost: string;
  vaultUrl: string;
  /** Every access token handed out, so tests can check none of them leaks. */
  issuedTokens: string[];
  /** Form bodies the token endpoint received. */
  tokenRequests: URLSearchParams[];
  /** Secret names the vault was asked for, lowercased (Key Vault names are case-insensitive). */
  secretNamesRequested: string[];
  setSecret(name: string, value: string, options?: { enabled?: boolean }): string;
  /** Makes every token handed out so far invalid, as a revoked or expired token is. */
  revokeAllTokens(): void;
  close(): Promise<void>;
}

const VAULT_SCOPE = 'https://vault.azure.net/.default';
const NAME_SHAPE = /^[0-9A-Za-z-]{1,127}$/;

export async function startAzureKeyVaultStandIn(options: AzureKeyVaultStandInOptions): Promise<AzureKeyVaultStandIn> {
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? 3599;
  const validTokens = new Set<string>();
  const issuedTokens: string[] = [];
  const tokenRequests: URLSearchParams[] = [];
  const secretNamesRequested: string[] = [];
  const secrets = new Map<string, { name: string; versions: StoredVersion[] }>();

  const aadError = (status: number, error: string, description: string) => ({
    status,
    body: {
      error,
      error_description: `${description}\r\nTrace ID: ${randomBytes(16).toString('hex')}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: [Number(description.match(/AADSTS(\d+)/)?.[1] ?? 0)],
      timestamp: new Date().toISOString(),
    },
  });

  const authority = await startLocalHttpServer((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const match = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (!match || req.method !== 'POST') {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    const reply = (r: { status: number; body: unknown }) => sendJson(res, r.status, r.body);
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      reply(aadError(400, 'invalid_request', "AADSTS900144: The request body must contain the following parameter: 'grant_type'."));
      return;
    }
    const form = new URLSearchParams(body.toString('utf8'));
    tokenRequests.push(form);
    if (decodeURIComponent(match[1] as string) !== options.tenantId) {
      reply(aadError(400, 'invalid_request', `AADSTS90002: Tenant '${match[1]}' not found.`));
    } else if (form.get('grant_type') !== 'client_credentials') {
      reply(aadError(400, 'unsupported_grant_type', 'AADSTS70003: The app requested an unsupported grant type.'));
    } else if (form.get('client_id') !== options.clientId) {
      reply(aadError(400, 'unauthorized_client', `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`));
    } else if (form.get('client_secret') !== options.clientSecret) {
      reply(aadError(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.'));
    } else if (form.get('scope') !== VAULT_SCOPE) {
      reply(aadError(400, 'invalid_scope', `AADSTS1002012: The provided value for scope ${form.get('scope')} is not valid.`));
    } else {
      const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
      validTokens.add(token);
      issuedTokens.push(token);
      reply({ status: 200, body: { token_type: 'Bearer', expires_in: lifetimeSeconds, ext_expires_in: lifetimeSeconds, access_token: token } });
    }
  });

  const vault = await startLocalHttpServer((req, _body, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const challenge = {
      'WWW-Authenticate': `Bearer authorization="${authority.url}/${options.tenantId}", resource="https://vault.azure.net"`,
    };
    const authorization = req.headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ')) {
      sendJson(res, 401, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } }, challenge);
      return;
    }
    if (!validTokens.has(authorization.slice('Bearer '.length))) {
      sendJson(res, 401, { error: { code: 'Unauthorized', message: 'AKV10022: Invalid audience.' } }, challenge);
      return;
    }
    if (!url.searchParams.get('api-version')) {
      sendJson(res, 400, { error: { code: 'BadParameter', message: 'The request URI contains an invalid or missing api-version.' } });
      return;
    }
    const match = /^\/secrets\/([^/]+)(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!match || req.method !== 'GET') {
      sendJson(res, 404, { error: { code: 'NotFound', message: 'The requested resource was not found.' } });
      return;
    }
    const name = decodeURIComponent(match[1] as string);
    secretNamesRequested.push(name.toLowerCase());
    if (!NAME_SHAPE.test(name)) {
      sendJson(res, 400, { error: { code: 'BadParameter', message: 'The request URI contains an invalid name: ' + name } });
      return;
    }
    const secret = secrets.get(name.toLowerCase());
    const wanted = match[2];
    const version = secret && (wanted ? secret.versions.find((v) => v.version === wanted) : secret.versions.at(-1));
    if (!secret || !version) {
      sendJson(res, 404, { error: { code: 'SecretNotFound', message: `A secret with (name/id) ${name}${wanted ? `/${wanted}` : ''} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182` } });
      return;
    }
    if (!version.enabled) {
      sendJson(res, 403, { error: { code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', innererror: { code: 'SecretDisabled' } } });
      return;
    }
    sendJson(res, 200, {
      value: version.value,
      id: `${vault.url}/secrets/${secret.name}/${version.version}`,
      attributes: {
        enabled: true,
        created: version.createdSeconds,
        updated: version.createdSeconds,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
      },
      tags: {},
    });
  });

  return {
    authorityHost: authority.url,
    vaultUrl: vault.url,
    issuedTokens,
    tokenRequests,
    secretNamesRequested,
    setSecret(name, value, setOptions = {}) {
      const key = name.toLowerCase();
      const entry = secrets.get(key) ?? { name, versions: [] };
      const version = randomBytes(16).toString('hex');
      entry.versions.push({ version, value, enabled: setOptions.enabled ?? true, createdSeconds: Math.floor(Date.now() / 1000) });
      secrets.set(key, entry);
      return version;
    },
    revokeAllTokens() {
      validTokens.clear();
    },
    close: async () => {
      await vault.close();
      await authority.close();
    },
  };
}
