// A tiny authoritative DNS server on 127.0.0.1 for the tests: answers A, AAAA, MX, TXT and CNAME
// from a table the test can change while it runs; NXDOMAIN for names it does not know, an empty
// answer (NODATA) for a known name without that type, SERVFAIL for names marked so. Lets a test
// resolve real names through Mailroom's real resolvers (node:dns pointed here) without touching
// the network. Wire format per RFC 1035 §4.1 (MX §3.3.9, TXT §3.3.14, CNAME §3.3.1).
import dgram from 'node:dgram';

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  MX?: { preference: number; exchange: string }[];
  /** Each TXT record is one string; long ones are split into 255-byte character-strings. */
  TXT?: string[];
  CNAME?: string;
  /** Answer SERVFAIL for this name (a broken or unreachable authoritative server). */
  servfail?: boolean;
}

export interface DnsStandIn {
  /** "127.0.0.1:PORT", for Resolver.setServers. */
  server: string;
  /** The live zone: tests may add, change or delete names between queries. */
  zone: Record<string, DnsRecords>;
  /** Names asked for, with their type ("example.com MX"), in order. */
  queries: string[];
  close(): Promise<void>;
}

const TYPES = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 } as const;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

export async function startDnsStandIn(zone: Record<string, DnsRecords>): Promise<DnsStandIn> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  const live: Record<string, DnsRecords> = Object.fromEntries(Object.entries(zone).map(([name, records]) => [name.toLowerCase(), records]));
  socket.on('message', (query, peer) => {
    const response = answer(query, live, queries);
    if (response) socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    zone: live,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(query: Buffer, zone: Record<string, DnsRecords>, log: string[]): Buffer | null {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset] ?? 0;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const questionEnd = offset + 5; // zero label, QTYPE, QCLASS
  if (questionEnd > query.length) return null;
  const qtype = query.readUInt16BE(offset + 1);
  const name = labels.join('.').toLowerCase();
  const typeName = Object.entries(TYPES).find(([, v]) => v === qtype)?.[0] ?? String(qtype);
  log.push(`${name} ${typeName}`);
  const records = zone[name];
  const rcode = !records ? RCODE_NXDOMAIN : records.servfail ? RCODE_SERVFAIL : 0;
  const rdatas = records && !records.servfail ? rdataFor(records, qtype) : [];

  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // same id
  header.writeUInt16BE(0x8400 | 0x0100 | rcode, 2); // QR, AA, RD echoed
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(rdatas.length, 6);
  const answers = rdatas.map(({ type, data }) => {
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    record.writeUInt16BE(type, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(data.length, 10);
    return Buffer.concat([record, data]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
}

function rdataFor(records: DnsRecords, qtype: number): { type: number; data: Buffer }[] {
  // A name with a CNAME answers every type with the CNAME alone (the chain is not followed here).
  if (records.CNAME && qtype !== TYPES.CNAME) return [{ type: TYPES.CNAME, data: encodeName(records.CNAME) }];
  switch (qtype) {
    case TYPES.A: return (records.A ?? []).map((a) => ({ type: qtype, data: Buffer.from(a.split('.').map(Number)) }));
    case TYPES.AAAA: return (records.AAAA ?? []).map((a) => ({ type: qtype, data: ipv6Bytes(a) }));
    case TYPES.MX: return (records.MX ?? []).map((mx) => {
      const preference = Buffer.alloc(2);
      preference.writeUInt16BE(mx.preference, 0);
      return { type: qtype, data: Buffer.concat([preference, encodeName(mx.exchange)]) };
    });
    case TYPES.TXT: return (records.TXT ?? []).map((text) => ({ type: qtype, data: encodeTxt(text) }));
    case TYPES.CNAME: return records.CNAME ? [{ type: qtype, data: encodeName(records.CNAME) }] : [];
    default: return [];
  }
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'ascii')])), Buffer.from([0])]);
}

function encodeTxt(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const part = bytes.subarray(i, i + 255);
    chunks.push(Buffer.from([part.length]), part);
    if (bytes.length === 0) break;
  }
  return Buffer.concat(chunks);
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}
