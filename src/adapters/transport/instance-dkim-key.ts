// The instance's own DKIM key (MAILROOM_DKIM_DOMAIN, _SELECTOR, _PRIVATE_KEY_FILE): read once at
// start, so a missing or unreadable file stops Mailroom with a clear message instead of sending
// unsigned mail later.
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { DkimKey } from '../../core/outbound/delivery-types.ts';

export function loadInstanceDkimKey(settings: { dkimDomain: string | null; dkimSelector: string | null; dkimPrivateKeyFile: string | null }): DkimKey | null {
  const { dkimDomain, dkimSelector, dkimPrivateKeyFile } = settings;
  if (!dkimDomain && !dkimSelector && !dkimPrivateKeyFile) return null;
  if (!dkimDomain || !dkimSelector || !dkimPrivateKeyFile) {
    throw new Error('invalid configuration: MAILROOM_DKIM_DOMAIN, MAILROOM_DKIM_SELECTOR and MAILROOM_DKIM_PRIVATE_KEY_FILE go together; set all three or none');
  }
  let pem: string;
  try {
    pem = fs.readFileSync(dkimPrivateKeyFile, 'utf8');
    crypto.createPrivateKey(pem); // fails now, at start, on a file that is not a private key
  } catch (err) {
    throw new Error(`invalid configuration: MAILROOM_DKIM_PRIVATE_KEY_FILE (${dkimPrivateKeyFile}) is not a readable PEM private key: ${(err as Error).message}`);
  }
  return { domainName: dkimDomain.toLowerCase(), selector: dkimSelector, privateKey: pem };
}
