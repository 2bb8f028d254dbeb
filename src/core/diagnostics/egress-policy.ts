// The egress rule (SSRF): which resolved addresses Mailroom may open a connection to when a user
// supplies the host. "Test connection" features have been used to scan internal networks and reach
// cloud metadata services (Appsmith GHSA-vvxf-f8q9-86gh, Dolibarr GHSA-6w89-8vmc-mjpc), so by default
// only public unicast addresses are allowed. The caller resolves the name once, checks every address
// here, and connects to the checked address — never to the name again (DNS rebinding).
//
// Order of the rule:
//   1. never: unspecified (0.0.0.0 and :: reach this host on Linux), multicast, broadcast;
//   2. IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are
//      judged by the IPv4 address they carry;
//   3. an address inside MAILROOM_ALLOWED_SMTP_NETWORKS is allowed, whatever its kind;
//   4. cloud metadata endpoints are refused even with allowPrivate;
//   5. with allowPrivate (CLI --allow-private), loopback, private, link-local, unique-local and
//      CGNAT addresses are allowed;
//   6. otherwise only public unicast (IPv6: inside 2000::/3) is allowed.
import ipaddr from 'ipaddr.js';

export interface EgressDecision {
  allowed: boolean;
  /** Why, for logs: "public", "loopback", "metadata", "allowed network 10.0.0.0/8"… */
  reason: string;
  /**
   * The address that was judged, in canonical form (an IPv4-mapped address as its IPv4 address).
   * Connect to this one, so the address checked and the address connected to cannot differ.
   */
  address: string | null;
}

export interface EgressPolicy {
  check(ip: string): EgressDecision;
}

export interface EgressPolicyOptions {
  /** CIDRs (or single addresses) the instance allows, e.g. from MAILROOM_ALLOWED_SMTP_NETWORKS. */
  allowedNetworks: string[];
  /** Allow loopback and private ranges (the CLI's --allow-private); metadata endpoints stay refused. */
  allowPrivate?: boolean;
}

const NEVER_ALLOWED = new Set(['unspecified', 'multicast', 'broadcast']);
const PRIVATE_KINDS = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat']);
// Instance metadata and credential endpoints: AWS/GCP/Azure/OpenStack, AWS ECS task metadata,
// AWS IPv6 IMDS, Alibaba Cloud.
const METADATA_ADDRESSES = ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200'].map((a) => ipaddr.parse(a).toNormalizedString());
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');
const NAT64_PREFIX = ipaddr.parseCIDR('64:ff9b::/96');
const SIX_TO_FOUR_PREFIX = ipaddr.parseCIDR('2002::/16');

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

/** Splits the MAILROOM_ALLOWED_SMTP_NETWORKS value ("10.0.0.0/8, fd00::/8") into CIDR strings. */
export function parseAllowedNetworks(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).map((part) => part.trim()).filter((part) => part !== '');
}

/** Throws on an entry that is not a CIDR or address, so a typo in the configuration fails at boot. */
export function createEgressPolicy(options: EgressPolicyOptions): EgressPolicy {
  const networks = options.allowedNetworks.map(parseNetwork);
  const allowPrivate = options.allowPrivate ?? false;

  return {
    check(ip: string): EgressDecision {
      let parsed: Address;
      try {
        // Only canonical forms: "127.1" or "0x7f000001" are not addresses a resolver returns.
        if (!ipaddr.IPv4.isValidFourPartDecimal(ip) && !ipaddr.IPv6.isValid(ip)) throw new Error('not canonical');
        parsed = ipaddr.parse(ip);
      } catch {
        return { allowed: false, reason: 'not an IP address', address: null };
      }
      const mapped = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress();
      const address = embeddedIPv4(parsed) ?? parsed;
      // Mapped addresses reach their IPv4 address; NAT64 and 6to4 ones are connected to as they are.
      const decision = (allowed: boolean, reason: string): EgressDecision => ({ allowed, reason, address: (mapped ? address : parsed).toString() });
      const kind = address.range();
      if (NEVER_ALLOWED.has(kind)) return decision(false, kind);
      for (const network of networks) {
        if (address.kind() === network[0].kind() && address.match(network)) {
          return decision(true, `allowed network ${network[0].toString()}/${network[1]}`);
        }
      }
      if (METADATA_ADDRESSES.includes(address.toNormalizedString())) return decision(false, 'metadata');
      if (allowPrivate && PRIVATE_KINDS.has(kind)) return decision(true, `${kind} (private networks allowed)`);
      if (kind !== 'unicast') return decision(false, kind);
      if (address.kind() === 'ipv6' && !address.match(GLOBAL_UNICAST_V6)) return decision(false, 'not global unicast');
      return decision(true, 'public');
    },
  };
}

function parseNetwork(entry: string): Network {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const single = ipaddr.parse(entry);
    return [single, single.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new Error(`MAILROOM_ALLOWED_SMTP_NETWORKS: "${entry}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
  }
}

/** The IPv4 address an IPv6 address stands for, when it carries one that routes to IPv4. */
function embeddedIPv4(address: Address): ipaddr.IPv4 | null {
  if (address.kind() !== 'ipv6') return null;
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const bytes = v6.toByteArray();
  if (v6.match(NAT64_PREFIX)) return new ipaddr.IPv4(bytes.slice(12, 16));
  if (v6.match(SIX_TO_FOUR_PREFIX)) return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}
