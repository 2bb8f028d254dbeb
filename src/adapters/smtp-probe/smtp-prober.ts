// The staged SMTP probe behind "Test connection", the API and `mailroom smtp test`.
//
//   const prober = createSmtpProber({ resolver, egressPolicy });
//   const result = await prober.probe({ host, port, security, auth, from, to, sendTestMessage: false, allowInvalidCert: false });
//
// Order: validate the request → resolve the host once → keep the addresses the egress policy
// allows (none: HOST_BLOCKED, before any packet is sent to the host, so the answer says nothing
// about what listens there) → run the stages against the checked address → on a mismatch, try the
// likely alternatives on the same address → scrub the secret from everything returned.
import { performance } from 'node:perf_hooks';
import { isIP } from 'node:net';
import type { EgressPolicy } from '../../core/diagnostics/egress-policy.ts';
import type { ProbeOptions, ProbeRequest, ProbeResult, ProbeSuggestion, SmtpProber } from '../../core/diagnostics/probe-types.ts';
import { validateProbeRequest } from '../../core/diagnostics/probe-request-validation.ts';
import { describeProbeCode } from '../../core/diagnostics/result-codes.ts';
import { chooseAuthMechanism, mechanismSuggestionText, planAlternatives, securityLabel, SUGGESTION_CODES, suggestionText } from '../../core/diagnostics/suggestion-plan.ts';
import { redactSecrets, secretForms, Transcript } from '../../core/diagnostics/transcript.ts';
import { validationError } from '../../core/errors.ts';
import type { Clock } from '../../core/ports.ts';
import { parseEmailAddress } from '../../core/validation/email-address.ts';
import { HostResolveError, type HostResolver } from './host-resolver.ts';
import { failure, ProbeFailure } from './probe-failure.ts';
import { DEFAULT_STAGE_TIMEOUTS, emptySessionState, runSession, type SessionDeps, type SessionState, type SessionTarget, type StageTimeouts } from './smtp-session.ts';
import { Deadline, StageRecorder } from './stage-recorder.ts';
import { netConnector, type TcpConnector } from './tcp-connect.ts';

export const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
export const DNS_TIMEOUT_MS = 5_000;
/** Each suggestion attempt gets at most this long (and never more than the probe has left). */
export const ALTERNATIVE_TIMEOUT_MS = 5_000;
/** Not worth starting an attempt with less time than this left. */
const MIN_ALTERNATIVE_MS = 500;

export interface SmtpProberOptions {
  resolver: HostResolver;
  egressPolicy: EgressPolicy;
  clock?: Clock;
  /** The EHLO name when the request gives none (default: this machine's FQDN, or its address literal). */
  heloName?: string;
  /** PEM certificates trusted in addition to Node's bundled roots, for a private CA. */
  extraCaCertificates?: string[];
  timeouts?: Partial<StageTimeouts>;
  /** Opens TCP connections; injectable for the connect-timeout test. */
  connector?: TcpConnector;
}

export function createSmtpProber(options: SmtpProberOptions): SmtpProber {
  const deps: SessionDeps = {
    connector: options.connector ?? netConnector,
    extraCaCertificates: options.extraCaCertificates ?? [],
    timeouts: { ...DEFAULT_STAGE_TIMEOUTS, ...options.timeouts },
    clock: options.clock ?? { now: () => new Date() },
  };
  return {
    probe: (request, probeOptions = {}) => probe(request, probeOptions, options, deps),
  };
}

async function probe(request: ProbeRequest, probeOptions: ProbeOptions, options: SmtpProberOptions, deps: SessionDeps): Promise<ProbeResult> {
  const issues = validateProbeRequest(request);
  if (issues.length > 0) throw validationError(issues);

  const startedAt = deps.clock.now();
  const started = performance.now();
  const deadline = new Deadline(request.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
  const stages = new StageRecorder();
  const transcript = new Transcript();
  const state = emptySessionState();
  const hostname = request.host.trim().replace(/^\[(.*)\]$/, '$1');

  let ip: string | null = null;
  let failed: ProbeFailure | null = null;
  try {
    ip = await stages.run('dns', () => resolveAllowedAddress(hostname, options, deadline, transcript));
    const target: SessionTarget = { ip, hostname, port: request.port, security: request.security };
    await runSession({
      target,
      plan: {
        auth: request.auth,
        authMode: 'login',
        envelope: envelopeFor(request),
        allowInvalidCert: request.allowInvalidCert,
        heloName: request.heloName ?? options.heloName ?? null,
        detectImplicitTls: true,
      },
      deps,
      deadline,
      stages,
      transcript,
      state,
    });
  } catch (err) {
    failed = err instanceof ProbeFailure ? err : failure('PROTOCOL_ERROR', { message: 'The test stopped on an unexpected error.' });
  }

  let suggestion: ProbeSuggestion | null = null;
  if (failed && ip && probeOptions.suggest !== false && SUGGESTION_CODES.has(failed.code)) {
    suggestion = await findSuggestion(request, failed, ip, hostname, state, options, deps, deadline, transcript);
  }

  const ok = failed === null;
  const described = failed ? { message: failed.message, hint: failed.hint } : describeProbeCode('OK');
  const result: ProbeResult = {
    ok,
    code: failed?.code ?? 'OK',
    stage: failed?.stage ?? null,
    message: described.message,
    hint: described.hint,
    reply: failed ? failed.reply : state.lastReply,
    stages: stages.timings,
    transcript: transcript.lines(),
    offered: state.offered,
    suggestion,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
  // Defence in depth: the transcript never records credential frames, but a server may echo
  // them back in a reply; nothing returned may hold the secret in any form it travelled in.
  const forms = request.auth ? secretForms(request.auth.password, state.credentialFrames) : [];
  return forms.length > 0 ? scrub(result, forms) : result;
}

async function resolveAllowedAddress(hostname: string, options: SmtpProberOptions, deadline: Deadline, transcript: Transcript): Promise<string> {
  let addresses: string[];
  if (isIP(hostname)) {
    addresses = [hostname];
    transcript.note(`${hostname} is an IP address: no DNS lookup`);
  } else {
    try {
      addresses = await options.resolver.resolve(hostname, deadline.limit(DNS_TIMEOUT_MS));
    } catch (err) {
      if (!(err instanceof HostResolveError)) throw err;
      transcript.note(`DNS: ${err.message}`);
      if (err.kind === 'not-found') throw failure('DNS_NOT_FOUND');
      throw failure('TEMPORARY_FAILURE', { message: 'The DNS lookup of the host failed; it may work again shortly.' });
    }
  }
  const allowed = addresses.flatMap((address) => {
    const decision = options.egressPolicy.check(address);
    return decision.allowed && decision.address ? [decision.address] : [];
  });
  const chosen = allowed[0];
  if (chosen === undefined) {
    // The same words for every refused address, whatever it is and whatever listens there; the
    // address itself is not shown either, so the test button cannot enumerate internal DNS.
    transcript.note('the host\'s address is not allowed by this instance\'s egress rule; nothing was sent to it');
    throw failure('HOST_BLOCKED');
  }
  if (!isIP(hostname)) transcript.note(`DNS: ${hostname} resolves to ${allowed.join(', ')}`);
  return chosen;
}

function envelopeFor(request: ProbeRequest): { from: string; to: string | null; sendTestMessage: boolean } {
  const username = request.auth?.username ?? '';
  const from = request.from || (parseEmailAddress(username).ok ? username : '');
  return { from, to: request.to || from || null, sendTestMessage: request.sendTestMessage };
}

async function findSuggestion(
  request: ProbeRequest,
  failed: ProbeFailure,
  ip: string,
  hostname: string,
  state: SessionState,
  options: SmtpProberOptions,
  deps: SessionDeps,
  deadline: Deadline,
  transcript: Transcript,
): Promise<ProbeSuggestion | null> {
  if (failed.code === 'AUTH_METHOD_UNSUPPORTED') {
    const mechanism = chooseAuthMechanism(state.offered.authMechanisms, state.encrypted);
    if (!mechanism || mechanism === request.auth?.mechanism) return null;
    return { security: request.security, port: request.port, authMechanism: mechanism, text: mechanismSuggestionText(mechanism) };
  }
  const candidates = planAlternatives({ port: request.port, security: request.security, authConfigured: request.auth !== null }, failed.code);
  for (const candidate of candidates) {
    if (deadline.remainingMs() < MIN_ALTERNATIVE_MS) break;
    const attemptState = emptySessionState();
    try {
      await runSession({
        target: { ip, hostname, port: candidate.port, security: candidate.security },
        plan: {
          auth: request.auth,
          authMode: 'check-offered',
          envelope: null,
          allowInvalidCert: request.allowInvalidCert,
          heloName: request.heloName ?? options.heloName ?? null,
          detectImplicitTls: false,
        },
        deps,
        deadline: new Deadline(Math.min(ALTERNATIVE_TIMEOUT_MS, deadline.remainingMs())),
        stages: new StageRecorder(),
        transcript: new Transcript(),
        state: attemptState,
      });
    } catch (err) {
      const code = err instanceof ProbeFailure ? err.code : 'PROTOCOL_ERROR';
      transcript.note(`suggestion check: ${securityLabel(candidate.security)} on port ${candidate.port}: no (${code})`);
      continue;
    }
    const changed = attemptState.usableMechanism && attemptState.usableMechanism !== request.auth?.mechanism ? attemptState.usableMechanism : undefined;
    transcript.note(`suggestion check: ${securityLabel(candidate.security)} on port ${candidate.port}: works`);
    return { ...candidate, ...(changed ? { authMechanism: changed } : {}), text: suggestionText(candidate, changed) };
  }
  return null;
}

function scrub<T>(value: T, forms: string[]): T {
  if (typeof value === 'string') return redactSecrets(value, forms) as T;
  if (Array.isArray(value)) return value.map((item) => scrub(item, forms)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, forms)])) as T;
  }
  return value;
}
