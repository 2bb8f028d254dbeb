// The HTTP plumbing the Vault, Azure Key Vault and Conjur providers share: one call with a deadline,
// a bounded body, and network failures turned into SECRET_UNRESOLVED where they enter. Built on Node's
// own fetch so the providers add no dependency; each provider speaks its manager's documented REST API.
import type { Logger } from '../../core/ports.ts';
import { unresolvedReference } from './secret-reference-rules.ts';

/** A secret lookup sits on the send path; a manager that hangs must not hold a worker for long. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;

/** Bounds memory when a misconfigured address points at something that streams a large answer. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What an HTTP provider may be given by the composition root (and by tests). */
export interface HttpSecretProviderDeps {
  fetch?: typeof fetch;
  logger?: Logger;
  /** Milliseconds since the epoch; token caches use it so tests can move time without sleeping. */
  now?: () => number;
}

export interface SecretManagerCall extends SecretManagerEndpoint {
  /** The reference being resolved, named in every message. */
  scheme: string;
  path: string;
}

export interface SecretManagerAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** The manager could not be reached or did not answer usably; `reason` is plain words, safe to show. */
export class SecretManagerUnreachable extends Error {
  readonly reason: string;

  constructor(reason: string, cause?: unknown) {
    super(reason, { cause });
    this.name = 'SecretManagerUnreachable';
    this.reason = reason;
  }
}

export interface SecretManagerEndpoint {
  fetch: typeof fetch;
  timeoutMs: number;
  /** The manager's name as people know it, used in messages ("Vault"). */
  manager: string;
}

/**
 * One request with a deadline covering connect, headers and body. Throws SecretManagerUnreachable when
 * the manager cannot be reached, does not answer in time, or answers with more than we will read;
 * the caller classifies status codes, which differ per manager.
 */
export async function requestSecretManager(endpoint: SecretManagerEndpoint, url: string, init: RequestInit): Promise<SecretManagerAnswer> {
  const signal = AbortSignal.timeout(endpoint.timeoutMs);
  let body: string | undefined;
  let response: Response;
  try {
    // Redirects are refused: a manager never needs them, and following one would carry the token along.
    response = await endpoint.fetch(url, { ...init, signal, redirect: 'error' });
    body = await readBounded(response);
  } catch (err) {
    throw new SecretManagerUnreachable(describeNetworkFailure(endpoint, err), err);
  }
  if (body === undefined) throw new SecretManagerUnreachable(`${endpoint.manager} answered with more than ${MAX_RESPONSE_BYTES} bytes`);
  return { status: response.status, headers: response.headers, body };
}

/** requestSecretManager for one reference: failures become SECRET_UNRESOLVED naming that reference. */
export async function callSecretManager(call: SecretManagerCall, url: string, init: RequestInit): Promise<SecretManagerAnswer> {
  try {
    return await requestSecretManager(call, url, init);
  } catch (err) {
    if (err instanceof SecretManagerUnreachable) {
      throw unresolvedReference(call.scheme, call.path, `could not be resolved: ${err.reason}`, err.cause);
    }
    throw err;
  }
}

/** Parses a JSON answer; a manager that answers something else is treated as unreachable. */
export function parseJsonAnswer(call: SecretManagerCall, answer: SecretManagerAnswer): unknown {
  try {
    return JSON.parse(answer.body);
  } catch {
    // The body is not quoted into the message or the cause: it may hold the very value we asked for.
    throw unresolvedReference(call.scheme, call.path, `could not be resolved: ${call.manager} answered HTTP ${answer.status} with something that is not JSON`);
  }
}

/** A manager's base address: http(s), no credentials, no query; trailing slashes dropped. */
export function checkBaseUrl(setting: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`invalid configuration: ${setting} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`invalid configuration: ${setting} must start with https:// or http://`);
  if (url.username || url.password) throw new Error(`invalid configuration: ${setting} may not hold credentials`);
  if (url.search || url.hash) throw new Error(`invalid configuration: ${setting} may not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBounded(response: Response): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkFailure(call: SecretManagerEndpoint, err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `${call.manager} did not answer within ${call.timeoutMs} ms`;
  }
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof Error && cause.message === 'unexpected redirect') {
    return `${call.manager} answered with a redirect, which is not followed (check the address)`;
  }
  const code = errorCode(err);
  const reason = (() => {
    switch (code) {
      case 'ECONNREFUSED': return 'connection refused';
      case 'ENOTFOUND':
      case 'EAI_AGAIN': return 'its host name could not be resolved';
      case 'ECONNRESET':
      case 'UND_ERR_SOCKET': return 'the connection was reset';
      case 'ETIMEDOUT':
      case 'UND_ERR_CONNECT_TIMEOUT': return 'the connection timed out';
      case 'EHOSTUNREACH':
      case 'ENETUNREACH': return 'no route to its host';
      default:
        if (code && /CERT|SSL|TLS|SELF_SIGNED/.test(code)) return 'its TLS certificate was not accepted';
        return 'network error';
    }
  })();
  return `${call.manager} could not be reached (${reason})`;
}

function errorCode(err: unknown): string | undefined {
  // fetch wraps the socket error: TypeError("fetch failed") with the errno error as its cause.
  for (let current = err, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
