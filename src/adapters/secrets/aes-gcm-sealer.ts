// Secrets at rest: AES-256-GCM (authenticated — a tampered value fails to open rather than
// decrypting to garbage). Each sealed value names the key that sealed it, so a key rotation can
// re-seal value by value while both keys are readable.
import crypto from 'node:crypto';
import type { Sealer } from '../../core/ports.ts';

const FORMAT = 'v1';
const IV_BYTES = 12; // the GCM standard nonce size
export const KEY_BYTES = 32;

export function keyId(key: Buffer): string {
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export interface Keyring {
  current: Buffer;
  /** Keys that may still open older values (the current one included). */
  readable: Buffer[];
}

export class AesGcmSealer implements Sealer {
  private currentId: string;
  private keys: Map<string, Buffer>;
  private readonly reload: (() => Keyring) | null;

  constructor(keyring: Keyring, reload: (() => Keyring) | null = null) {
    this.reload = reload;
    this.currentId = '';
    this.keys = new Map();
    this.use(keyring);
  }

  private use(keyring: Keyring): void {
    for (const key of [keyring.current, ...keyring.readable]) {
      if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes`);
    }
    this.currentId = keyId(keyring.current);
    this.keys = new Map([keyring.current, ...keyring.readable].map((k) => [keyId(k), k]));
  }

  seal(plain: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(`${FORMAT}.${this.currentId}`));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT, this.currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [format, id, iv, tag, body] = sealed.split('.');
    if (format !== FORMAT || !id || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('sealed value has an unknown format');
    }
    let key = this.keys.get(id);
    if (!key && this.reload) {
      // Another process (`mailroom secrets rotate-key`) may have moved to a new key file.
      this.use(this.reload());
      key = this.keys.get(id);
    }
    if (!key) throw new Error(`sealed value needs key ${id}, which this instance does not have`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${FORMAT}.${id}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** The key id new values are sealed with (shown by the CLI; not secret). */
  currentKeyId(): string {
    return this.currentId;
  }
}
