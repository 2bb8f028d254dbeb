// Certificates for the TLS tests, made with openssl into a temporary directory on each run (no
// private keys are committed): a test CA, and leaves for "localhost"/127.0.0.1 signed by it — one
// valid, one for another name, one expired — plus a self-signed one. The expired leaf needs past
// dates; OpenSSL 3.0's `x509` cannot set them, `openssl ca -startdate/-enddate` can.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestCertificates {
  caPem: string;
  /** localhost and 127.0.0.1, signed by the test CA. */
  valid: KeyPair;
  /** mail.other.test, signed by the test CA. */
  wrongName: KeyPair;
  /** localhost and 127.0.0.1, signed by the test CA, expired in 2020. */
  expired: KeyPair;
  /** localhost and 127.0.0.1, self-signed. */
  selfSigned: KeyPair;
  /** A leaf for these DNS names, signed by the test CA (e.g. an MTA-STS policy host). */
  issue(dnsNames: string[]): KeyPair;
  remove(): void;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function createTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-probe-certs-'));
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

  openssl('req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Mailroom Probe Test CA');
  mkdirSync(join(dir, 'issued'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = test_ca',
    '[test_ca]', 'database = index.txt', 'serial = serial', 'new_certs_dir = issued', 'default_md = sha256',
    'policy = any_name', 'unique_subject = no', 'copy_extensions = none',
    '[any_name]', 'commonName = supplied',
  ].join('\n'));

  const leaf = (name: string, commonName: string, altNames: string, dates: string[]): KeyPair => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName = ${altNames}\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n`);
    openssl('req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${commonName}`);
    openssl('ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.pem`, '-extfile', `${name}.ext`, ...dates);
    return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
  };

  const valid = leaf('valid', 'localhost', 'DNS:localhost,IP:127.0.0.1', ['-days', '30']);
  const wrongName = leaf('wrong-name', 'mail.other.test', 'DNS:mail.other.test', ['-days', '30']);
  const expired = leaf('expired', 'localhost', 'DNS:localhost,IP:127.0.0.1', ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z']);
  openssl('req', '-x509', ...EC_KEY, '-keyout', 'self.key', '-out', 'self.pem', '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  const selfSigned = { key: read('self.key'), cert: read('self.pem') };

  let issued = 0;
  const issue = (dnsNames: string[]): KeyPair => leaf(`issued-${++issued}`, dnsNames[0]!, dnsNames.map((name) => `DNS:${name}`).join(','), ['-days', '30']);
  return { caPem: read('ca.pem'), valid, wrongName, expired, selfSigned, issue, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
