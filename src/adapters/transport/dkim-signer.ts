// DKIM signing for direct delivery (RFC 6376), over mailauth's signer: relaxed/relaxed, rsa-sha256,
// and a fixed list of the headers a recipient reads or that change how the body is shown.
// The private key is used here and nowhere else; it never appears in an error, a log or a result.
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import type { DkimKey } from '../../core/outbound/delivery-types.ts';

/**
 * Signed when present (mailauth skips the ones a message lacks). Resent-* and List-* are left out:
 * they are added or rewritten by forwarders and lists, and a signature over them would break there.
 */
export const DKIM_SIGNED_HEADERS = ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'Reply-To', 'MIME-Version', 'Content-Type'] as const;

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const SELECTOR = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})$/;

/** Signing failed: the key is unusable (not PEM, not RSA, wrong size) or the message unreadable. */
export class DkimSignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DkimSignError';
  }
}

/** Returns the message with its DKIM-Signature header prepended; the rest is byte for byte the input. */
export async function signWithDkim(raw: string, key: DkimKey, signTime: Date): Promise<string> {
  // Both go into the DKIM-Signature header as they are: nothing but a DNS name may pass.
  if (!DNS_NAME.test(key.domainName) || !SELECTOR.test(key.selector)) {
    throw new DkimSignError('The message could not be DKIM-signed: the signing domain or selector is not a valid DNS name.');
  }
  let result: Awaited<ReturnType<typeof dkimSign>>;
  try {
    const signature = { signingDomain: key.domainName, selector: key.selector, privateKey: key.privateKey };
    result = await dkimSign(raw, {
      // mailauth signs with each entry of signatureData; its type declarations also ask for the
      // fields at the top level, where the signer ignores them.
      ...signature,
      canonicalization: 'relaxed/relaxed',
      algorithm: 'rsa-sha256',
      headerList: [...DKIM_SIGNED_HEADERS],
      signTime,
      signatureData: [signature],
    });
  } catch {
    // The library's error may quote its input; only the key's name is reported.
    throw new DkimSignError(unusableKey(key));
  }
  const signature = result.signatures.trim();
  if (result.errors.length > 0 || !/^DKIM-Signature:/i.test(signature)) throw new DkimSignError(unusableKey(key));
  return `${signature}\r\n${raw}`;
}

function unusableKey(key: DkimKey): string {
  return `The message could not be DKIM-signed: the key for ${key.domainName} (selector "${key.selector}") is not a usable RSA private key.`;
}
