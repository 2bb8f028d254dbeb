// A server whose mail is paused ("held") after a configuration error: a red badge with the reason in
// the list, and a notice at the top of its edit page. Both link to its held messages. When the company
// has a fallback server that can carry the mail meanwhile, both say so.
import type { MailServer } from '../../api/types.ts';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { historyPath } from '../failure-history/history-filters.ts';

export function isPaused(server: Pick<MailServer, 'delivery'>): boolean {
  return server.delivery?.state === 'held';
}

function heldMessagesHref(serverId: string): string {
  return href(historyPath({ serverId, status: 'held' }));
}

/**
 * What the company's fallback does for a paused server: it carries the mail, or it cannot (inactive
 * or paused itself). `undefined` when the page does not know the company's servers.
 */
export type FallbackCover =
  | { kind: 'covers'; name: string }
  | { kind: 'unavailable'; name: string; reason: 'inactive' | 'paused' }
  | null;

/** The same rule the delivery worker follows: the fallback, not this server, active and not paused. */
export function fallbackCoverFor(server: Pick<MailServer, 'id'>, servers: MailServer[]): FallbackCover {
  const fallback = servers.find((s) => s.isFallback);
  if (!fallback || fallback.id === server.id) return null;
  if (fallback.status !== 'active') return { kind: 'unavailable', name: fallback.name, reason: 'inactive' };
  if (isPaused(fallback)) return { kind: 'unavailable', name: fallback.name, reason: 'paused' };
  return { kind: 'covers', name: fallback.name };
}

// The worker adds this sentence to the reason when it hands the mail to the fallback.
const FALLBACK_NOTE = /\s*Mail goes through the fallback server "([^"]*)" until this is fixed\.\s*$/;

/** The reason without the worker's fallback sentence, and the cover that sentence names. */
function splitReason(message: string | null, cover: FallbackCover | undefined): { reason: string | null; cover: FallbackCover } {
  const match = message ? FALLBACK_NOTE.exec(message) : null;
  const reason = match && message ? message.slice(0, match.index).trim() || null : message;
  // What the page knows now wins over the sentence written when the server was paused.
  if (cover !== undefined) return { reason, cover };
  return { reason, cover: match ? { kind: 'covers', name: match[1] } : null };
}

function coverSentence(cover: FallbackCover): string | null {
  if (!cover) return null;
  if (cover.kind === 'covers') return `Meanwhile, mail goes through the fallback server “${cover.name}”.`;
  return `The fallback server “${cover.name}” cannot take over: ${cover.reason === 'inactive' ? 'it is inactive' : 'it is paused too'}.`;
}

/** For the Status column of the list. */
export function DeliveryStateBadge({ server }: { server: MailServer }) {
  if (!isPaused(server)) return null;
  return <Badge tone="red">Sending paused</Badge>;
}

export function DeliveryStateLine({ server, fallback }: { server: MailServer; fallback?: FallbackCover }) {
  const d = server.delivery;
  if (!d || d.state !== 'held') return null;
  const { reason, cover } = splitReason(d.message, fallback);
  const coverText = coverSentence(cover);
  return (
    <span className="delivery-paused">
      <span className="delivery-paused__message">{reason ?? 'A settings problem stopped sending.'}{d.code ? <> (<code>{d.code}</code>)</> : null}</span>
      {d.since ? <span className="delivery-paused__since" title={formatDateTime(d.since)}> Paused {formatRelative(d.since)}.</span> : null}
      {coverText ? <span className={`delivery-paused__fallback${cover?.kind === 'covers' ? ' delivery-paused__fallback--covers' : ''}`}>{coverText}</span> : null}
      {coverText ? null : ' '}<a href={heldMessagesHref(server.id)} aria-label={`See held messages of ${server.name}`}>See held messages</a>
    </span>
  );
}

/** At the top of the edit page. */
export function DeliveryPausedNotice({ server, fallback }: { server: MailServer; fallback?: FallbackCover }) {
  const d = server.delivery;
  if (!d || d.state !== 'held') return null;
  const { reason, cover } = splitReason(d.message, fallback);
  return (
    <Alert kind="error" title="Sending paused">
      <p>
        {reason ?? 'A settings problem stopped sending through this server.'}
        {d.code ? <> (<code>{d.code}</code>)</> : null}
        {d.since ? <> Paused since {formatDateTime(d.since)}.</> : null}
      </p>
      {cover?.kind === 'covers' ? (
        <p>
          Meanwhile, mail for this server goes through the fallback server “{cover.name}”. Save the fixed settings or retry a held message to
          send through this server again.{' '}
          <a href={heldMessagesHref(server.id)}>See held messages</a>
        </p>
      ) : (
        <p>
          {cover ? <>{coverSentence(cover)} </> : null}
          Mail for this server waits instead of being sent; nothing is lost. Save the fixed settings or retry a held message to resume.{' '}
          <a href={heldMessagesHref(server.id)}>See held messages</a>
        </p>
      )}
    </Alert>
  );
}
