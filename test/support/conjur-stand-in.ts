// A local stand-in for CyberArk Conjur's REST API — authentication and secret retrieval:
//   - POST /authn/{account}/{login}/authenticate, API key as body → the JSON access token
//     {protected, payload, signature}; base64-encoded when asked with "Accept-Encoding: base64"
//   - GET /secrets/{account}/variable/{id} with `Authorization: Token token="<base64 token>"` →
//     the raw value; 401 for a missing, wrong or expired token; 404 for an absent variable
// Tokens expire after 8 minutes, as Conjur's do; the clock is injectable so tests need not wait.
import { randomBytes } from 'node:crypto';
import { normalizedPath, sendJson, startLocalHttpServer } from './local-http-server.ts';

export interface ConjurStandInOptions {
  account: string;
  login: string;
  apiKey: string;
  now?: () => number;
  /** Answer the token as raw JSON even when base64 is asked for, as some proxies do. */
  ignoreBase64Request?: boolean;
}

export interface ConjurStandIn {
  url: string;
  /** Header values (base64) of every token handed out, and the raw JSON tokens. */
  issuedTokens: string[];
  authenticationCount(): number;
  /** Variable ids the stand-in was asked for, decoded and normalized. */
  variableIdsRequested: string[];
  setVariable(id: string, value: string): void;
  revokeAllTokens(): void;
  close(): Promise<void>;
}

const TOKEN_LIFETIME_MS = 8 * 60_000;

export async function startConjurStandIn(options: ConjurStandInOptions): Promise<ConjurStandIn> {
  const now = options.now ?? Date.now;
  const validTokens = new Map<string, number>(); // base64 token → expiry
  const issuedTokens: string[] = [];
  const variableIdsRequested: string[] = [];
  const variables = new Map<string, string>();
  let authentications = 0;

  const server = await startLocalHttpServer((req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const authn = /^\/authn\/([^/]+)\/([^/]+)\/authenticate$/.exec(url.pathname);
    if (authn && req.method === 'POST') {
      const account = decodeURIComponent(authn[1] as string);
      const login = decodeURIComponent(authn[2] as string);
      if (account !== options.account || login !== options.login || body.toString('utf8') !== options.apiKey) {
        res.writeHead(401);
        res.end();
        return;
      }
      authentications++;
      const issuedAtSeconds = Math.floor(now() / 1000);
      const json = JSON.stringify({
        protected: Buffer.from(JSON.stringify({ alg: 'conjur.org/slosilo/v2', kid: randomBytes(16).toString('hex') })).toString('base64url'),
        payload: Buffer.from(JSON.stringify({ sub: login, iat: issuedAtSeconds, exp: issuedAtSeconds + TOKEN_LIFETIME_MS / 1000 })).toString('base64url'),
        signature: randomBytes(64).toString('base64url'),
      });
      const encoded = Buffer.from(json).toString('base64');
      validTokens.set(encoded, now() + TOKEN_LIFETIME_MS);
      issuedTokens.push(encoded, json);
      const wantsBase64 = !options.ignoreBase64Request && (req.headers['accept-encoding'] ?? '').includes('base64');
      if (wantsBase64) {
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Encoding': 'base64' });
        res.end(encoded);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(json);
      }
      return;
    }

    const secret = /^\/secrets\/([^/]+)\/variable\/(.+)$/.exec(url.pathname);
    if (secret && req.method === 'GET') {
      const token = /^Token token="([^"]+)"$/.exec(req.headers.authorization ?? '')?.[1];
      const expiry = token === undefined ? undefined : validTokens.get(token);
      if (expiry === undefined || now() >= expiry) {
        res.writeHead(401);
        res.end();
        return;
      }
      const id = normalizedPath(secret[2] as string);
      variableIdsRequested.push(id);
      const value = decodeURIComponent(secret[1] as string) === options.account ? variables.get(id) : undefined;
      if (value === undefined) {
        sendJson(res, 404, { error: { code: 'not_found', message: `CONJ00076E Variable ${options.account}:variable:${id} is empty or not found.`, target: 'variable', details: { code: 'not_found', target: 'id', message: `${options.account}:variable:${id}` } } });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(value);
      return;
    }
    res.writeHead(404);
    res.end();
  });

  return {
    url: server.url,
    issuedTokens,
    authenticationCount: () => authentications,
    variableIdsRequested,
    setVariable(id, value) {
      variables.set(id, value);
    },
    revokeAllTokens() {
      validTokens.clear();
    },
    close: () => server.close(),
  };
}
