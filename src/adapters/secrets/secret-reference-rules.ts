// Rules every secret provider shares: how a company slug becomes part of a secret's location, how
// reference paths are checked before anything is read, and how failures are worded. Kept in one place
// so the providers cannot drift apart on the one property that matters most: a reference resolves only
// inside its own company's scope.
import { AppError } from '../../core/errors.ts';
import type { SecretScope } from '../../core/ports.ts';

/**
 * The slugs the providers accept for scoping: lowercase letters and digits in groups joined by single
 * dashes. Scoping by slug is only safe when no slug can be mistaken for another slug followed by a
 * separator — this shape guarantees it (no "--", no leading or trailing dash, no "/" or "."). A slug
 * outside it is refused rather than guessed at.
 */
export const COMPANY_SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Matches the longest slug tenancy accepts, with room; also keeps Key Vault names under 127 characters. */
const MAX_SLUG_LENGTH = 63;

/** Larger values are refused: no SMTP password is this long, and it bounds memory per lookup. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

/** One segment of a slash-separated secret path: no "." or ".." and nothing that needs escaping. */
const PATH_SEGMENT_PATTERN = /^[A-Za-z0-9_.-]+$/;
/** Bounds what is echoed into messages and sent to a manager; real secret paths are far shorter. */
const MAX_REFERENCE_LENGTH = 512;

/** The reference as it appears in messages: quoted and escaped so it cannot forge a log line. */
export function quoteReference(scheme: string, path: string): string {
  const full = `${scheme}:${path}`;
  return JSON.stringify(full.length > 200 ? `${full.slice(0, 200)}…` : full);
}

export function invalidReference(scheme: string, path: string, reason: string): AppError {
  return new AppError('SECRET_REFERENCE_INVALID', `Secret reference ${quoteReference(scheme, path)} ${reason}.`);
}

export function unresolvedReference(scheme: string, path: string, reason: string, cause?: unknown): AppError {
  return new AppError('SECRET_UNRESOLVED', `Secret reference ${quoteReference(scheme, path)} ${reason}.`, { cause });
}

/** The scope's slug, checked; throws SECRET_REFERENCE_INVALID when it cannot be used as a boundary. */
export function scopeSlug(scheme: string, path: string, scope: SecretScope): string {
  const slug = scope.companySlug;
  if (typeof slug !== 'string' || slug.length > MAX_SLUG_LENGTH || !COMPANY_SLUG_PATTERN.test(slug)) {
    throw invalidReference(scheme, path, 'cannot be used: the company slug is not one secret scoping can rely on');
  }
  return slug;
}

/**
 * Splits a relative slash-separated path ("smtp/app") into checked segments. Refuses a leading "/",
 * empty segments, "." and "..", and any character outside letters, digits, ".", "_" and "-" — which
 * also refuses percent-encoding, so "%2e%2e" can never be decoded into ".." further down the line.
 * `reference` is the whole reference path, named in messages; `value` the part being checked.
 */
export function relativeSegments(scheme: string, reference: string, value: string = reference, what = 'path'): string[] {
  if (value.length === 0) throw invalidReference(scheme, reference, `has an empty ${what}`);
  if (value.length > MAX_REFERENCE_LENGTH) throw invalidReference(scheme, reference, `has a ${what} longer than ${MAX_REFERENCE_LENGTH} characters`);
  if (value.startsWith('/')) throw invalidReference(scheme, reference, `must use a relative ${what}, not one starting with "/"`);
  const segments = value.split('/');
  for (const segment of segments) {
    if (segment === '') throw invalidReference(scheme, reference, `has an empty segment in its ${what}`);
    if (segment === '.' || segment === '..') throw invalidReference(scheme, reference, `may not use "." or ".." in its ${what}`);
    if (!PATH_SEGMENT_PATTERN.test(segment)) {
      throw invalidReference(scheme, reference, `may only use letters, digits, ".", "_" and "-" in its ${what} segments`);
    }
  }
  return segments;
}

/** Operator configuration (mount, prefix) checked with the same rules, failing at boot, not per lookup. */
export function configSegments(setting: string, value: string): string[] {
  const segments = value.split('/').filter((s) => s !== '');
  if (segments.length === 0) throw new Error(`invalid configuration: ${setting} is empty`);
  for (const segment of segments) {
    if (segment === '.' || segment === '..' || !PATH_SEGMENT_PATTERN.test(segment)) {
      throw new Error(`invalid configuration: ${setting} may only use letters, digits, ".", "_" and "-" between slashes`);
    }
  }
  return segments;
}
