// The probe's transcript, in the notation of swaks: "<-  " server, " -> " client, "<~  " and " ~> "
// once TLS protects the line, "=== " for what the probe itself did. Credentials never enter it:
// the client side writes AUTH frames through `clientCredentials`, which records the fixed
// placeholder instead (imapflow does the same with RAW_SENSITIVE_COMMANDS), and `redactSecrets`
// scrubs any echo of the secret a server might send back.

export const CREDENTIALS_PLACEHOLDER = '[credentials hidden]';
/** Keeps a hostile or chatty server from growing the stored result without bound. */
export const MAX_TRANSCRIPT_LINES = 400;
export const MAX_TRANSCRIPT_LINE_CHARS = 600;

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

export class Transcript {
  #lines: string[] = [];
  #encrypted = false;
  #dropped = 0;

  /** Lines after this call are marked as travelling inside TLS. */
  markEncrypted(): void {
    this.#encrypted = true;
  }

  server(line: string): void {
    this.#push(`${this.#encrypted ? '<~  ' : '<-  '}${line}`);
  }

  client(line: string): void {
    this.#push(`${this.#encrypted ? ' ~> ' : ' -> '}${line}`);
  }

  /** A client line that carries credentials: only `visiblePrefix` ("AUTH PLAIN") is kept. */
  clientCredentials(visiblePrefix = ''): void {
    this.client(visiblePrefix ? `${visiblePrefix} ${CREDENTIALS_PLACEHOLDER}` : CREDENTIALS_PLACEHOLDER);
  }

  note(text: string): void {
    this.#push(`=== ${text}`);
  }

  lines(): string[] {
    return this.#dropped > 0 ? [...this.#lines, `=== ${this.#dropped} more lines not kept`] : [...this.#lines];
  }

  #push(line: string): void {
    if (this.#lines.length >= MAX_TRANSCRIPT_LINES) {
      this.#dropped++;
      return;
    }
    const clean = line.replace(CONTROL_CHARACTERS, '?');
    this.#lines.push(clean.length > MAX_TRANSCRIPT_LINE_CHARS ? `${clean.slice(0, MAX_TRANSCRIPT_LINE_CHARS)}…` : clean);
  }
}

/**
 * The forms a secret can take on the wire: itself and its base64 (LOGIN sends it alone). Frames
 * that combine it with other values (PLAIN, XOAUTH2, CRAM-MD5) are built by the caller and passed
 * in as well. Secrets shorter than 4 characters are skipped: scrubbing "ab" would mangle every
 * line, and the frames that carry them are still listed.
 */
const MIN_SCRUBBED_SECRET_CHARS = 4;

export function secretForms(secret: string, frames: string[] = []): string[] {
  const own = secret.length >= MIN_SCRUBBED_SECRET_CHARS ? [secret, Buffer.from(secret, 'utf8').toString('base64')] : [];
  return [...new Set([...own, ...frames].filter((form) => form.length >= MIN_SCRUBBED_SECRET_CHARS))].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, forms: string[]): string {
  let result = text;
  for (const form of forms) if (result.includes(form)) result = result.split(form).join(CREDENTIALS_PLACEHOLDER);
  return result;
}
