// The one address parser. Strict on purpose: a lenient parser is how nodemailer once routed
// `"a@x y"@z` to host x (GHSA-mm7p-fcc7-pg87). We accept a plain addr-spec — dot-atom local part
// (UTF-8 allowed, for SMTPUTF8) @ a host name — and refuse quoted local parts, comments, display
// names, address literals and anything with more than one "@". Display names are separate fields.
import { headerUnsafeReason } from './header-safety.ts';
import { hostNameProblem } from './host-name.ts';

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uFFFF-]+$/u;
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;

export interface ParsedAddress {
  local: string;
  domain: string;
  /** Lower-cased domain, local part kept as typed: `Info@Example.COM` → `Info@example.com`. */
  address: string;
}

export type AddressResult = { ok: true; value: ParsedAddress } | { ok: false; reason: string };

export function parseEmailAddress(input: string): AddressResult {
  const fail = (reason: string): AddressResult => ({ ok: false, reason });
  const unsafe = headerUnsafeReason(input);
  if (unsafe) return fail(unsafe);
  const value = input.trim();
  if (value === '') return fail('must not be empty');
  if (value.length > MAX_ADDRESS) return fail(`must be at most ${MAX_ADDRESS} characters`);
  if (/[\s<>(),;:"\\[\]]/.test(value)) return fail('must be a plain address like name@example.com (no spaces, quotes, brackets, commas or display name)');
  const at = value.indexOf('@');
  if (at < 0) return fail('must contain "@"');
  if (value.indexOf('@', at + 1) >= 0) return fail('must contain exactly one "@"');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local === '') return fail('is missing the part before "@"');
  if (local.length > MAX_LOCAL) return fail(`the part before "@" must be at most ${MAX_LOCAL} characters`);
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return fail('the part before "@" must not start or end with a dot or have two dots in a row');
  if (!local.split('.').every((atom) => ATEXT.test(atom))) return fail('the part before "@" has characters that are not allowed');
  const domainProblem = hostNameProblem(domain, { requireDot: true });
  if (domainProblem) return fail(`the domain ${domainProblem}`);
  return { ok: true, value: { local, domain: domain.toLowerCase(), address: `${local}@${domain.toLowerCase()}` } };
}
