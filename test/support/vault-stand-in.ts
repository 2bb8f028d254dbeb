// A local stand-in for HashiCorp Vault's KV version 2 HTTP API — the parts a secret read touches:
// GET /v1/{mount}/data/{path} with X-Vault-Token (and X-Vault-Namespace on Enterprise), answering the
// documented shapes: 200 {data:{data,metadata}}, 404 {errors:[]}, 403 {errors:["permission denied"]}.
// https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2#read-secret-version
import { randomUUID } from 'node:crypto';
import { normalizedPath, sendJson, startLocalHttpServer } from './local-http-server.ts';

export interface VaultStandInOptions {
  token: string;
  mount?: string;
  namespace?: string;
}

interface StoredSecret {
  data: Record<string, unknown>;
  version: number;
  createdTime: string;
  deletionTime: string;
}

export interface VaultStandIn {
  url: string;
  /** Secret paths (below the mount's data/) the stand-in was asked for, normalized, in order. */
  secretPathsRequested: string[];
  /** Headers of every request, for header checks. */
  requestHeaders: Record<string, string | string[] | undefined>[];
  putSecret(path: string, data: Record<string, unknown>): void;
  /** Soft-deletes the latest version, as `vault kv delete` does. */
  deleteLatest(path: string): void;
  close(): Promise<void>;
}

export async function startVaultStandIn(options: VaultStandInOptions): Promise<VaultStandIn> {
  const mount = options.mount ?? 'secret';
  const secrets = new Map<string, StoredSecret>();
  const secretPathsRequested: string[] = [];
  const requestHeaders: Record<string, string | string[] | undefined>[] = [];

  const server = await startLocalHttpServer((req, _body, res) => {
    requestHeaders.push({ ...req.headers });
    // Vault checks the token before it routes, so a wrong token gets 403 whatever the path.
    if (req.headers['x-vault-token'] !== options.token) {
      sendJson(res, 403, { errors: ['permission denied'] });
      return;
    }
    if (options.namespace !== undefined && req.headers['x-vault-namespace'] !== options.namespace) {
      sendJson(res, 403, { errors: ['permission denied'] });
      return;
    }
    const path = normalizedPath(new URL(req.url ?? '/', 'http://stand-in').pathname);
    const dataPrefix = `v1/${mount}/data/`;
    if (!path.startsWith(dataPrefix)) {
      sendJson(res, 404, { errors: [`no handler for route "${path}". route entry not found.`] });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] });
      return;
    }
    const secretPath = path.slice(dataPrefix.length);
    secretPathsRequested.push(secretPath);
    const secret = secrets.get(secretPath);
    if (!secret) {
      sendJson(res, 404, { errors: [] });
      return;
    }
    const metadata = {
      created_time: secret.createdTime,
      custom_metadata: null,
      deletion_time: secret.deletionTime,
      destroyed: false,
      version: secret.version,
    };
    const deleted = secret.deletionTime !== '';
    sendJson(res, deleted ? 404 : 200, {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: { data: deleted ? null : secret.data, metadata },
      wrap_info: null,
      warnings: null,
      auth: null,
      mount_type: 'kv',
    });
  });

  return {
    url: server.url,
    secretPathsRequested,
    requestHeaders,
    putSecret(path, data) {
      const previous = secrets.get(path);
      secrets.set(path, { data, version: (previous?.version ?? 0) + 1, createdTime: new Date().toISOString(), deletionTime: '' });
    },
    deleteLatest(path) {
      const secret = secrets.get(path);
      if (secret) secret.deletionTime = new Date().toISOString();
    },
    close: () => server.close(),
  };
}
