// Calls and shapes for the catcher, the built-in service's mailbox (docs/api.md "Caught mail",
// docs/builtin-mail-service.md).
import { api, download } from '../../api/client.ts';
import type { MessageSummary } from '../../api/types.ts';

export const CATCHER_PATH = '/caught-mail';

export function caughtMessagePath(id: string): string {
  return `${CATCHER_PATH}/${encodeURIComponent(id)}`;
}

export interface CaughtMessage extends MessageSummary {
  recipients: string[];
}

export interface CaughtAttachment {
  /** Position among the message's attachments: the download uses it. */
  index: number;
  filename: string | null;
  contentType: string;
  size: number;
  /** Set for parts the HTML shows inline (cid:…). */
  contentId: string | null;
  inline: boolean;
}

export interface CaughtMessageDetail extends CaughtMessage {
  /** Every header in order, decoded. */
  headers: { name: string; value: string }[];
  text: string | null;
  /** Untrusted: shown only in a sandboxed frame with remote content blocked. */
  html: string | null;
  attachments: CaughtAttachment[];
}

export interface CaughtPage {
  items: CaughtMessage[];
  /** Pass back as `cursor` for the next page; null: that was all. */
  nextCursor: string | null;
}

const one = (id: string) => `/caught-messages/${encodeURIComponent(id)}`;

export const catcherApi = {
  /** Newest first; `q` searches subject, From and recipients, ignoring case. */
  list: (query: { q?: string; cursor?: string | null; limit?: number }, signal?: AbortSignal) =>
    api.get<CaughtPage>('/caught-messages', { signal, query }),
  get: (id: string, signal?: AbortSignal) => api.get<CaughtMessageDetail>(one(id), { signal }),
  /** The raw source as text (the API serves it as text/plain, never as HTML). */
  raw: async (id: string, signal?: AbortSignal) => (await download(`${one(id)}/raw`, { signal })).blob.text(),
  /** The .eml file. */
  rawFile: (id: string) => download(`${one(id)}/raw`, { query: { download: 1 } }),
  attachment: (id: string, index: number) => download(`${one(id)}/attachments/${index}`),
  /** Sends the message through a mail server (once); it then shows in the failure history. */
  release: (id: string, mailServerId: string) => api.post<MessageSummary>(`${one(id)}/release`, { mailServerId }),
};

/** Long enough for the browser to start reading the Blob after the click. */
const REVOKE_BLOB_URL_AFTER_MS = 30_000;

/** Hands a downloaded file to the browser (the API call carried the cookies and company header). */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), REVOKE_BLOB_URL_AFTER_MS);
}
