// Where the sealing key comes from: MAILROOM_SECRET_KEY (base64 or hex of 32 bytes, with
// MAILROOM_SECRET_KEY_PREVIOUS listing keys still readable during a rotation), or else a key file
// in the data folder, created with mode 0600 on first run. The file holds one base64 key per line:
// the first seals, the others are only read.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { KEY_BYTES, type Keyring } from './aes-gcm-sealer.ts';

export const KEY_FILE_NAME = 'secret.key';

export function decodeKey(text: string, label: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${label} must be ${KEY_BYTES} bytes, base64 or hex encoded`);
  return key;
}

export function generateKey(): Buffer {
  return crypto.randomBytes(KEY_BYTES);
}

export interface KeySource {
  kind: 'env' | 'file';
  load(): Keyring;
  /** Only for file sources: where the keys live. */
  file?: string;
}

export function keySourceFor(options: { secretKey: string | null; previousKeys?: string | null; dataDir: string }): KeySource {
  if (options.secretKey) {
    const current = decodeKey(options.secretKey, 'MAILROOM_SECRET_KEY');
    const previous = (options.previousKeys ?? '').split(',').filter((s) => s.trim()).map((k) => decodeKey(k, 'MAILROOM_SECRET_KEY_PREVIOUS'));
    return { kind: 'env', load: () => ({ current, readable: previous }) };
  }
  const file = path.join(options.dataDir, KEY_FILE_NAME);
  return { kind: 'file', file, load: () => readOrCreateKeyFile(file) };
}

function readOrCreateKeyFile(file: string): Keyring {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeKeyFileAtomically(file, [generateKey()]);
    } catch (err) {
      // Two processes starting on a fresh data folder: the loser reads the winner's key.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const keys = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l, i) => decodeKey(l, `${file} line ${i + 1}`));
  if (keys.length === 0) throw new Error(`${file} holds no key`);
  return { current: keys[0]!, readable: keys.slice(1) };
}

/**
 * Writes the key file so that a crash leaves either the old file or the new one, never a torn one:
 * write a temporary file with mode 0600, fsync it, rename over, fsync the folder. With `exclusive`
 * the rename is replaced by a link that fails if the file already exists.
 */
export function writeKeyFileAtomically(file: string, keys: Buffer[], options: { replace?: boolean } = {}): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, keys.map((k) => k.toString('base64')).join('\n') + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    if (options.replace) fs.renameSync(tmp, file);
    else fs.linkSync(tmp, file); // fails with EEXIST instead of overwriting a key someone else made
  } finally {
    if (!options.replace) fs.rmSync(tmp, { force: true });
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try { fs.fsyncSync(dir); } finally { fs.closeSync(dir); }
}
