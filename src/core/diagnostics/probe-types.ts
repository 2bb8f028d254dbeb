// The public shape of the staged SMTP probe ("Test connection"), shared by the HTTP API, the CLI
// and the UI.
//
// How the edges use it:
//
//   import { createSmtpProber } from '../adapters/smtp-probe/smtp-prober.ts';
//   import { createSystemResolver } from '../adapters/smtp-probe/host-resolver.ts';
//   import { createEgressPolicy, parseAllowedNetworks } from '../core/diagnostics/egress-policy.ts';
//
//   const prober = createSmtpProber({
//     resolver: createSystemResolver(),
//     egressPolicy: createEgressPolicy({ allowedNetworks: parseAllowedNetworks(process.env.MAILROOM_ALLOWED_SMTP_NETWORKS) }),
//   });
//   const problems = validateProbeRequest(req);          // core/diagnostics/probe-request-validation.ts → 400
//   const result: ProbeResult = await prober.probe(req);  // never throws for a server-side failure
//
// Other pure pieces in core/diagnostics, importable without sockets:
//   classifyReply(stage, reply, context)  classify-reply.ts   — also used for delivery outcomes
//   warningsFor(settings)                 pre-save-warnings.ts — form warnings before any connection
//   describeProbeCode(code, vars)         result-codes.ts      — message and fix per code
//
// A ProbeResult never contains the password: AUTH frames appear in the transcript as
// CREDENTIALS_PLACEHOLDER and every string is scrubbed of the secret before it is returned.
import type { AuthMechanism, SecurityMode } from '../model.ts';
import type { ProbeCode } from './result-codes.ts';
import type { SmtpReply } from './smtp-reply.ts';

export type { ProbeCode } from './result-codes.ts';
export type { SmtpReply } from './smtp-reply.ts';

/** The stages in the order a connection passes them (TLS comes right after connect for SSL/TLS). */
export const STAGE_NAMES = ['dns', 'connect', 'greeting', 'ehlo', 'tls', 'auth', 'mail', 'rcpt', 'data'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface ProbeAuth {
  mechanism: AuthMechanism;
  username: string;
  /** The password, or the OAuth2 access token for xoauth2. */
  password: string;
}

export interface ProbeRequest {
  host: string;
  port: number;
  security: SecurityMode;
  auth: ProbeAuth | null;
  /** MAIL FROM; defaults to the username when it is an address, else the null sender <>. */
  from?: string;
  /** RCPT TO; defaults to `from`. Without either, the RCPT stage is skipped. */
  to?: string;
  /** Send the fixed test message (DATA). Otherwise the probe stops before DATA: nothing is sent. */
  sendTestMessage: boolean;
  /** Continue past a certificate problem (an explicit, audited per-profile choice). */
  allowInvalidCert: boolean;
  /** Overall deadline for the probe including suggestion attempts; default 20 000 ms. */
  timeoutMs?: number;
  /** The EHLO name; defaults to the prober's configured name. */
  heloName?: string;
}

export interface StageTiming {
  name: StageName;
  ok: boolean;
  ms: number;
}

export interface TlsSessionInfo {
  version: string;
  cipher: string;
  certSubject: string;
  certIssuer: string;
  certValidTo: string;
}

export interface OfferedCapabilities {
  /** EHLO keywords with their parameters, as the server sent them ("SIZE 10240000", "AUTH PLAIN LOGIN"). */
  extensions: string[];
  /** Upper-case SASL mechanism names from the last EHLO ("PLAIN", "LOGIN", "XOAUTH2"). */
  authMechanisms: string[];
  startTls: boolean;
  maxSize: number | null;
  tls?: TlsSessionInfo;
}

export interface ProbeSuggestion {
  security: SecurityMode;
  port: number;
  authMechanism?: AuthMechanism;
  /** A sentence the UI shows next to a one-click "apply", e.g. "SSL/TLS on port 465 works." */
  text: string;
}

export interface ProbeResult {
  ok: boolean;
  code: ProbeCode;
  /** The stage that failed, or null when ok. */
  stage: StageName | null;
  message: string;
  /** The fix, in plain words; null when ok. */
  hint: string | null;
  /** The server reply that decided the result, when one did. */
  reply: SmtpReply | null;
  stages: StageTiming[];
  transcript: string[];
  offered: OfferedCapabilities;
  suggestion: ProbeSuggestion | null;
  startedAt: string;
  durationMs: number;
}

export interface ProbeOptions {
  /** Try alternatives on the same host when the result is a mismatch (default true). */
  suggest?: boolean;
}

/** What the edges depend on; the socket implementation is adapters/smtp-probe. */
export interface SmtpProber {
  probe(request: ProbeRequest, options?: ProbeOptions): Promise<ProbeResult>;
}
