// Signing webhook bodies, Stripe-style: `Mailroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`
// over "<t>.<raw body>", keyed with the endpoint's secret (the whole "whsec_…" string, as UTF-8).
// The timestamp is inside the signed text, so a receiver that refuses old timestamps also refuses
// replays of a captured request. docs/webhooks.md shows the receiver's side.
import crypto from 'node:crypto';

export const SIGNATURE_HEADER = 'Mailroom-Signature';
export const EVENT_ID_HEADER = 'Mailroom-Event-Id';
export const EVENT_TYPE_HEADER = 'Mailroom-Event-Type';

const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: 256 bits, the HMAC-SHA256 block of security. */
const SECRET_BYTES = 32;
/** Receivers should refuse signatures older than this (replays); the default of verifySignature. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function generateWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(SECRET_BYTES).toString('base64url');
}

export function signatureFor(secret: string, timestampSeconds: number, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}

export function signatureHeader(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${signatureFor(secret, timestampSeconds, body)}`;
}

/**
 * What a receiver does (tests and docs use it): parse the header, recompute, compare in constant
 * time, and refuse a timestamp further than `toleranceSeconds` from `nowSeconds`.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, nowSeconds: number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('=', 2) as [string, string | undefined]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureFor(secret, t, body), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || !/^[0-9a-f]{64}$/i.test(v)) return false;
    return crypto.timingSafeEqual(Buffer.from(v, 'hex'), expected);
  });
}
