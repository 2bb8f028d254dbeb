// Host names and IP literals as typed into "SMTP host". The syntax check only — whether the host
// may be connected to is the egress policy's decision, made on the resolved address.
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
const FOUR_PART_DECIMAL = /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/;

export function hostNameProblem(input: string, options: { requireDot?: boolean } = {}): string | null {
  const host = input.trim();
  if (host === '') return 'must not be empty';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return 'must be a host name, not a URL (remove the "scheme://" part)';
  if (host.includes('@')) return 'must be a host name like smtp.example.com, not an email address';
  if (/^[^:]+:\d+$/.test(host)) return 'must not include a port: put the port in the Port field';
  if (/\s/.test(host)) return 'must not contain spaces';
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // Four-part decimal only: ipaddr.isValid would also take 0x7f.1 and 127.1, which no admin means.
  // The cheap shape tests come first (the same test ipaddr's isValidFourPartDecimal makes, and its
  // IPv6 shortcut): ipaddr's parsers throw and catch an Error for every host name, which made this
  // check a visible share of the CPU per submitted message (bench/README.md).
  if ((FOUR_PART_DECIMAL.test(bare) && ipaddr.IPv4.isValid(bare)) || (bare.includes(':') && ipaddr.IPv6.isValid(bare))) return null;
  if (host.length > 253) return 'must be at most 253 characters';
  const ascii = domainToASCII(host.replace(/\.$/, ''));
  if (!ascii) return 'is not a valid host name';
  const labels = ascii.split('.');
  if (!labels.every((l) => LABEL.test(l))) return 'is not a valid host name (letters, digits, dots and dashes only)';
  if (options.requireDot && labels.length < 2) return 'must be a full domain like example.com';
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return 'is not a valid host name or IP address';
  return null;
}
