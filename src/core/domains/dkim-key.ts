// DKIM keys and selectors. Pure computation with node:crypto (no I/O): a 2048-bit RSA key — the
// size RFC 8301 recommends and every receiver accepts — and a selector that names the month it was
// made plus a random suffix, so a rotation (or the same domain added by another company) never
// reuses a name whose record might still hold another key.
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface DkimKeyPair {
  /** PKCS#8 PEM: sealed before it is stored, never returned by the API. */
  privateKeyPem: string;
  /** base64 SubjectPublicKeyInfo, exactly as published in the record's p= tag. */
  publicKey: string;
}

const RSA_BITS = 2048;

/** Async, so the few hundred milliseconds of prime search do not block the event loop. */
export async function generateDkimKey(): Promise<DkimKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'der' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKey: publicKey.toString('base64') };
}

const SUFFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l/1/o/0: the name is read and typed by people

/** "mr202611k3p": month of creation (UTC) and three random characters; never one of `taken`. */
export function newSelector(now: Date, taken: (string | null)[] = []): string {
  const month = `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  for (;;) {
    const suffix = Array.from(crypto.randomBytes(3), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
    const selector = `mr${month}${suffix}`;
    if (!taken.includes(selector)) return selector;
  }
}
