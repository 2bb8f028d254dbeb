// A tiny authoritative DNS server on 127.0.0.1 for the tests: answers A and AAAA from a fixed
// table, NXDOMAIN for names it does not know. Lets a test resolve a real name through the probe's
// real resolver (node:dns Resolver pointed here) without touching the network. RFC 1035 §4.1.
import dgram from 'node:dgram';

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
}

export interface DnsStandIn {
  /** "127.0.0.1:PORT", for Resolver.setServers. */
  server: string;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const RCODE_NXDOMAIN = 3;

export async function startDnsStandIn(zone: Record<string, DnsRecords>): Promise<DnsStandIn> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, peer) => {
    const response = answer(query, zone);
    if (response) socket.send(response, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function answer(query: Buffer, zone: Record<string, DnsRecords>): Buffer | null {
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
  const records = zone[name];
  const addresses = !records ? [] : qtype === TYPE_A ? records.A ?? [] : qtype === TYPE_AAAA ? records.AAAA ?? [] : [];

  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // same id
  header.writeUInt16BE(0x8400 | 0x0100 | (records ? 0 : RCODE_NXDOMAIN), 2); // QR, AA, RD echoed
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((address) => {
    const rdata = qtype === TYPE_A ? Buffer.from(address.split('.').map(Number)) : ipv6Bytes(address);
    const record = Buffer.alloc(12);
    record.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    record.writeUInt16BE(qtype, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([record, rdata]);
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...answers]);
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
