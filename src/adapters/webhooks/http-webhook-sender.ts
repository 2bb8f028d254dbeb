// The WebhookSender port over node:http and node:https. Not fetch: fetch cannot be told which
// address to connect to, and the egress rule needs exactly that. Here:
// - the URL's host is resolved once with the app's resolver, every address is checked with the
//   EgressPolicy (SECURITY.md: "same rule wherever Mailroom connects to a user-supplied host"), and
//   the socket goes to the checked address through a custom `lookup` — so a second DNS answer cannot
//   redirect it (rebinding). The name stays in the Host header and in TLS SNI / certificate checks;
// - plain http:// is allowed only to an address inside MAILROOM_ALLOWED_SMTP_NETWORKS (an internal
//   receiver the instance allows); public receivers must use https://;
// - redirects are never followed (a 3xx is a failed attempt: a redirect could point anywhere);
// - one deadline (10 s) covers connecting, sending and reading the start of the answer, of which at
//   most a few KiB are read.
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { EgressPolicy } from '../../core/diagnostics/egress-policy.ts';
import type { WebhookRequest, WebhookSender, WebhookSendResult, WebhookTargetProblem } from '../../core/webhooks/webhook-sender.ts';
import { HostResolveError, type HostResolver } from '../smtp-probe/host-resolver.ts';

export interface HttpWebhookSenderOptions {
  resolver: HostResolver;
  egressPolicy: EgressPolicy;
  /** The whole request, from connecting to reading the answer's start. */
  timeoutMs?: number;
  dnsTimeoutMs?: number;
  /** Extra trusted certificate authorities (tests with a local https receiver). */
  ca?: string | Buffer | (string | Buffer)[];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_DNS_TIMEOUT_MS = 5_000;
/** Enough of a receiver's error page to say what went wrong; the rest is not read. */
const MAX_RESPONSE_BYTES = 4096;
const MAX_EXCERPT_CHARS = 200;
const USER_AGENT = 'Mailroom-Webhooks/1';

interface Target {
  url: URL;
  ip: string;
  family: 4 | 6;
}

type Resolution = { target: Target } | { problem: WebhookTargetProblem; retryable: boolean };

const BLOCKED_MESSAGE = 'The host resolves to an address Mailroom may not connect to (loopback, private, link-local or cloud metadata). '
  + 'An instance administrator can allow a network with MAILROOM_ALLOWED_SMTP_NETWORKS.';
const HTTPS_REQUIRED_MESSAGE = 'must use https:// — plain http:// is allowed only for a host inside a network the instance allows (MAILROOM_ALLOWED_SMTP_NETWORKS)';

export function createHttpWebhookSender(options: HttpWebhookSenderOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dnsTimeoutMs = options.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS;

  async function resolve(raw: string): Promise<Resolution> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { problem: { rule: 'url', message: 'is not a valid URL' }, retryable: false };
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: { rule: 'url', message: 'must be an http:// or https:// URL' }, retryable: false };
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: string[];
    if (isIP(hostname)) {
      addresses = [hostname];
    } else {
      try {
        addresses = await options.resolver.resolve(hostname, dnsTimeoutMs);
      } catch (err) {
        if (err instanceof HostResolveError && err.kind === 'not-found') return { problem: { rule: 'dns_not_found', message: 'The host does not resolve (no A or AAAA record).' }, retryable: true };
        return { problem: { rule: 'dns_failed', message: 'The DNS lookup of the host failed; it may work again shortly.' }, retryable: true };
      }
    }
    for (const address of addresses) {
      const decision = options.egressPolicy.check(address);
      if (!decision.allowed || !decision.address) continue;
      // "public" is the only reason an address is allowed without the instance naming its network
      // (or the CLI's --allow-private): such receivers must use TLS.
      if (url.protocol === 'http:' && decision.reason === 'public') return { problem: { rule: 'https_required', message: HTTPS_REQUIRED_MESSAGE }, retryable: false };
      return { target: { url, ip: decision.address, family: isIP(decision.address) === 6 ? 6 : 4 } };
    }
    // The same words whatever the address is: the answer must not map internal DNS for the caller.
    return { problem: { rule: 'host_blocked', message: BLOCKED_MESSAGE }, retryable: false };
  }

  return {
    async checkTarget(url) {
      const r = await resolve(url);
      return 'problem' in r ? r.problem : null;
    },

    async send(request) {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      const r = await resolve(request.url);
      if ('problem' in r) {
        const message = r.problem.rule === 'https_required' ? `The URL ${r.problem.message}.` : r.problem.message;
        return { outcome: r.retryable ? 'network' : 'blocked', statusCode: null, durationMs: elapsed(), error: message };
      }
      return post(r.target, request, timeoutMs - elapsed(), options.ca).then((result) => ({ ...result, durationMs: elapsed() }));
    },
  };
}

function post(target: Target, request: WebhookRequest, timeoutMs: number, ca: HttpWebhookSenderOptions['ca']): Promise<WebhookSendResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: Omit<WebhookSendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: 0 });
    };
    // The checked address, whatever name the request carries (Node may ask for one or for all).
    const lookup = ((_hostname: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (opts.all) callback(null, [{ address: target.ip, family: target.family }]);
      else callback(null, target.ip, target.family);
    }) as unknown as LookupFunction;
    const body = Buffer.from(request.body, 'utf8');
    const requestOptions: https.RequestOptions = {
      method: 'POST',
      headers: { ...request.headers, 'Content-Length': String(body.length), 'User-Agent': USER_AGENT },
      lookup,
      // A fresh connection each time: a pooled socket would skip the check of a new resolution.
      agent: false,
      ...(ca ? { ca } : {}),
    };
    const req = (target.url.protocol === 'https:' ? https : http).request(target.url, requestOptions, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        if (status >= 200 && status < 300) {
          settle({ outcome: 'delivered', statusCode: status, error: null });
          return;
        }
        const excerpt = cleanText(Buffer.concat(chunks).toString('utf8')).slice(0, MAX_EXCERPT_CHARS);
        const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: use the final address)' : '';
        settle({ outcome: 'http-error', statusCode: status, error: `HTTP ${status}${res.statusMessage ? ` ${cleanText(res.statusMessage)}` : ''}${redirect}${excerpt ? `: ${excerpt}` : ''}` });
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_RESPONSE_BYTES) return;
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_RESPONSE_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    const timer = setTimeout(() => {
      settle({ outcome: 'timeout', statusCode: null, error: `No answer within ${Math.round(timeoutMs / 1000)} s.` });
      req.destroy();
    }, Math.max(1, timeoutMs));
    req.on('error', (err: NodeJS.ErrnoException) => settle({ outcome: 'network', statusCode: null, error: networkErrorText(err) }));
    req.end(body);
  });
}

function networkErrorText(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  switch (code) {
    case 'ECONNREFUSED': return 'Connection refused: nothing accepts connections at that address and port.';
    case 'ECONNRESET': return 'The connection was reset before an answer came.';
    case 'EPIPE': return 'The connection was closed while the event was being sent.';
    case 'ETIMEDOUT': return 'The connection timed out.';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH': return 'The host cannot be reached from Mailroom.';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN': return 'The answer was not valid HTTP.';
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return `The receiver's TLS certificate was refused (${code}).`;
  if (code.startsWith('ERR_SSL') || code === 'EPROTO') return `The TLS handshake failed (${code}).`;
  return `The request failed (${code || 'unknown error'}).`;
}

/** No control characters or runs of spaces in what the history shows. */
function cleanText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
}
