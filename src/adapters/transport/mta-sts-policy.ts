// MTA-STS (RFC 8461) for direct delivery: does a recipient domain require TLS, and to which mail
// servers may its mail go?
//
//   const sts = createMtaStsPolicySource({ mxResolver, hostResolver, egressPolicy });
//   const policy = await sts.policyFor('example.com');   // null: no policy in force (opportunistic TLS)
//   if (policy?.mode === 'enforce' && !mxMatchesPolicy('mx1.example.com', policy)) …skip that MX
//
// 1. The `_mta-sts.<domain>` TXT record says a policy exists and names its id.
// 2. The policy file is fetched from https://mta-sts.<domain>/.well-known/mta-sts.txt with a
//    certificate valid for that name (no redirects, text/plain, at most 64 KiB) and parsed by
//    mailauth's parser (version, mode, mx, max_age).
// 3. It is cached for its max_age and fetched again only when the TXT id changes or it expires.
//
// The fetch is a connection Mailroom makes to a host a stranger's DNS names, so it goes through the
// same egress rule as SMTP (address checked, then connected to as checked; the name is used only
// for SNI, the certificate and the Host header). A policy that cannot be fetched — no file, a bad
// certificate, a blocked address — with none cached counts as no policy, as RFC 8461 §5 requires;
// the failure is remembered for a few minutes so a broken policy host is not asked on every message.
import { request } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { parsePolicy } from 'mailauth/lib/mta-sts.js';
import type { EgressPolicy } from '../../core/diagnostics/egress-policy.ts';
import type { Logger } from '../../core/ports.ts';
import type { HostResolver } from '../smtp-probe/host-resolver.ts';
import type { MxResolver } from './mx-resolver.ts';

export type MtaStsMode = 'enforce' | 'testing' | 'none';

export interface MtaStsPolicy {
  /** The TXT record's id the policy was fetched for. */
  id: string;
  mode: MtaStsMode;
  /** Allowed MX names, lower case; a leading "*." matches exactly one label. */
  mx: string[];
  maxAgeSeconds: number;
}

export interface MtaStsPolicySource {
  /** The domain's policy in force, or null (no policy, or none could be fetched: opportunistic TLS). */
  policyFor(domain: string): Promise<MtaStsPolicy | null>;
}

export interface MtaStsPolicySourceOptions {
  mxResolver: MxResolver;
  hostResolver: HostResolver;
  egressPolicy: EgressPolicy;
  /** HTTPS port of policy hosts: 443; tests give their local server's port. */
  port?: number;
  /** PEM certificates trusted besides Node's bundled roots (a private CA, tests). */
  extraCaCertificates?: string[];
  dnsTimeoutMs?: number;
  /** Connection and answer of the policy host, together. */
  fetchTimeoutMs?: number;
  now?: () => number;
  logger?: Logger | null;
}

const POLICY_PATH = '/.well-known/mta-sts.txt';
/** RFC 8461 §3.3: senders may limit the policy body; 64 KiB is what it suggests. */
const MAX_POLICY_BYTES = 64 * 1024;
const DEFAULT_DNS_TIMEOUT_MS = 5_000;
const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
/** How long a failed fetch (with no policy cached) is not tried again for that domain. */
const FAILURE_BACKOFF_MS = 10 * 60_000;
/** Domains remembered at most; the oldest entry goes first. */
const MAX_CACHED_DOMAINS = 10_000;

type CacheEntry =
  | { policy: MtaStsPolicy; expiresAt: number }
  | { failedId: string; retryAt: number };

export function createMtaStsPolicySource(options: MtaStsPolicySourceOptions): MtaStsPolicySource {
  const port = options.port ?? 443;
  const dnsTimeoutMs = options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;
  const timeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const ca = options.extraCaCertificates && options.extraCaCertificates.length > 0 ? [...rootCertificates, ...options.extraCaCertificates] : undefined;
  const log = options.logger ?? null;
  const cache = new Map<string, CacheEntry>();
  // Concurrent sends to one domain share one fetch.
  const pending = new Map<string, Promise<MtaStsPolicy | null>>();

  function remember(domain: string, entry: CacheEntry): void {
    cache.delete(domain);
    cache.set(domain, entry);
    if (cache.size > MAX_CACHED_DOMAINS) cache.delete(cache.keys().next().value as string);
  }

  function cachedPolicy(domain: string): MtaStsPolicy | null {
    const entry = cache.get(domain);
    return entry && 'policy' in entry && entry.expiresAt > now() ? entry.policy : null;
  }

  async function resolve(domain: string): Promise<MtaStsPolicy | null> {
    let id: string | null;
    try {
      id = policyId(await options.mxResolver.resolveTxt(`_mta-sts.${domain}`, dnsTimeoutMs));
    } catch {
      // DNS failed: a policy we hold still applies (RFC 8461 §5: a cached policy protects against
      // an attacker who blocks the lookup); without one, delivery is opportunistic.
      return cachedPolicy(domain);
    }
    // No record: a policy we hold still runs until it expires. An attacker who strips the TXT answer
    // must not turn TLS off; a domain leaving MTA-STS publishes mode "none" first (RFC 8461 §8.3).
    if (id === null) return cachedPolicy(domain);
    const entry = cache.get(domain);
    if (entry && 'policy' in entry && entry.policy.id === id && entry.expiresAt > now()) return entry.policy;
    if (entry && 'failedId' in entry && entry.failedId === id && entry.retryAt > now()) return null;

    try {
      const policy = await fetchPolicy(domain, id);
      remember(domain, { policy, expiresAt: now() + policy.maxAgeSeconds * 1000 });
      return policy;
    } catch (err) {
      const cached = cachedPolicy(domain);
      log?.warn({ domain, err: err instanceof Error ? err.message : String(err), usingCached: cached !== null }, 'MTA-STS policy could not be fetched');
      if (cached) return cached;
      remember(domain, { failedId: id, retryAt: now() + FAILURE_BACKOFF_MS });
      return null;
    }
  }

  async function fetchPolicy(domain: string, id: string): Promise<MtaStsPolicy> {
    const host = `mta-sts.${domain}`;
    const addresses = await options.hostResolver.resolve(host, dnsTimeoutMs);
    let address: string | undefined;
    for (const candidate of addresses) {
      const decision = options.egressPolicy.check(candidate);
      if (decision.allowed && decision.address) {
        address = decision.address;
        break;
      }
    }
    if (!address) throw new Error(`${host} has no address this instance may connect to`);
    const body = await get(host, address);
    // mailauth's parser checks version, mode, max_age and that enforce/testing name MX hosts.
    const parsed = parsePolicy(body);
    return {
      id,
      mode: parsed.mode,
      mx: (parsed.mx ?? []).map((name) => name.toLowerCase().replace(/\.$/, '')),
      maxAgeSeconds: Number(parsed.maxAge),
    };
  }

  function get(host: string, address: string): Promise<Buffer> {
    return new Promise((resolveBody, rejectBody) => {
      // One deadline for the whole exchange: `timeout` alone is per idle gap, and a host that drips
      // a byte a second would hold the message's delivery for as long as it likes.
      const deadline = setTimeout(() => req.destroy(new Error(`no answer from ${host} within ${timeoutMs} ms`)), timeoutMs);
      deadline.unref();
      const resolve = (body: Buffer): void => {
        clearTimeout(deadline);
        resolveBody(body);
      };
      const reject = (err: unknown): void => {
        clearTimeout(deadline);
        rejectBody(err);
      };
      const req = request({
        host: address,
        port,
        path: POLICY_PATH,
        method: 'GET',
        servername: isIP(host) ? undefined : host,
        headers: { host, accept: 'text/plain' },
        rejectUnauthorized: true,
        ...(ca ? { ca } : {}),
        agent: false,
      }, (res) => {
        // RFC 8461 §3.3: no redirects; a 200 with text/plain only.
        if (res.statusCode !== 200) {
          req.destroy();
          reject(new Error(`the policy host answered HTTP ${res.statusCode ?? '?'}`));
          return;
        }
        if (!/^text\/plain\b/i.test(res.headers['content-type'] ?? '')) {
          req.destroy();
          reject(new Error('the policy is not served as text/plain'));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_POLICY_BYTES) {
            req.destroy(new Error('the policy is larger than 64 KiB'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  return {
    policyFor(domain) {
      const key = domain.toLowerCase();
      let running = pending.get(key);
      if (!running) {
        running = resolve(key).finally(() => pending.delete(key));
        pending.set(key, running);
      }
      return running;
    },
  };
}

/** The id of the one `v=STSv1` TXT record, or null when there is none or more than one (RFC 8461 §3.1). */
export function policyId(records: string[]): string | null {
  const sts = records.map((r) => r.trim()).filter((r) => /^v=STSv1\s*(;|$)/.test(r));
  if (sts.length !== 1) return null;
  const id = /(?:^|;)\s*id=([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(sts[0]!);
  return id ? id[1]! : null;
}

/**
 * Whether an MX name is one the policy allows (RFC 8461 §4.1): an exact match, or "*.example.com"
 * matching one label in place of the star ("mx.example.com", not "a.b.example.com" or "example.com").
 */
export function mxMatchesPolicy(mxName: string, policy: MtaStsPolicy): boolean {
  const name = mxName.toLowerCase().replace(/\.$/, '');
  return policy.mx.some((pattern) => {
    if (!pattern.startsWith('*.')) return pattern === name;
    const suffix = pattern.slice(1); // ".example.com"
    if (!name.endsWith(suffix)) return false;
    const label = name.slice(0, -suffix.length);
    return label.length > 0 && !label.includes('.');
  });
}
