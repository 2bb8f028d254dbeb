// Calls and shapes for sender addresses (docs/api.md "Sender addresses", docs/sender-addresses.md).
import { ApiError, api } from '../../api/client.ts';
import type { Items } from '../../api/types.ts';

export type SenderKind = 'person' | 'group';
export type SenderStatus = 'pending' | 'verified';

export interface SenderAddress {
  id: string;
  address: string;
  displayName: string | null;
  kind: SenderKind;
  status: SenderStatus;
  /** When the last emailed link stops working; null once verified. */
  linkExpiresAt: string | null;
  verifiedAt: string | null;
  /** False when the link was only kept by the catcher: verify again once mail really leaves. */
  usableAsFrom: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface SenderInput {
  address: string;
  displayName: string | null;
  kind: SenderKind;
}

export interface VerifiedSender {
  address: string;
  displayName: string | null;
  kind: SenderKind;
  verifiedAt: string;
}

/** The path of the page the emailed link opens (a real path, not a #route: it comes from an email). */
export const VERIFY_SENDER_PATH = '/verify-sender';

export const senderAddressesApi = {
  list: (signal?: AbortSignal) => api.get<Items<SenderAddress>>('/sender-addresses', { signal }).then((r) => r.items),
  add: (input: SenderInput) => api.post<SenderAddress>('/sender-addresses', input),
  resend: (id: string) => api.post<SenderAddress>(`/sender-addresses/${encodeURIComponent(id)}/resend`),
  remove: (id: string) => api.delete(`/sender-addresses/${encodeURIComponent(id)}`),
  /**
   * Opens a link. Deliberately without cookies: the token is the only proof, whoever is (or is not)
   * signed in on this browser — and a session cookie without its CSRF header would be refused.
   */
  async verify(token: string): Promise<VerifiedSender> {
    let res: Response;
    try {
      res = await fetch(new URL('/api/v1/sender-addresses/verify', window.location.origin), {
        method: 'POST',
        credentials: 'omit',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ token }),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'Mailroom could not be reached. Check your connection and open the link again.');
    }
    const data = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | VerifiedSender | undefined;
    if (!res.ok) {
      const e = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? `The link could not be checked (${res.status}).`);
    }
    return data as VerifiedSender;
  },
};
