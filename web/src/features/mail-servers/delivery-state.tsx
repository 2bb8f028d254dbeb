// A server whose mail is paused ("held") after a configuration error: a red badge with the reason in
// the list, and a notice at the top of its edit page. Both link to its held messages.
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

/** For the Status column of the list. */
export function DeliveryStateBadge({ server }: { server: MailServer }) {
  if (!isPaused(server)) return null;
  return <Badge tone="red">Sending paused</Badge>;
}

export function DeliveryStateLine({ server }: { server: MailServer }) {
  const d = server.delivery;
  if (!d || d.state !== 'held') return null;
  return (
    <span className="delivery-paused">
      <span className="delivery-paused__message">{d.message ?? 'A settings problem stopped sending.'}{d.code ? <> (<code>{d.code}</code>)</> : null}</span>
      {d.since ? <span className="delivery-paused__since" title={formatDateTime(d.since)}> Paused {formatRelative(d.since)}.</span> : null}
      {' '}<a href={heldMessagesHref(server.id)} aria-label={`See held messages of ${server.name}`}>See held messages</a>
    </span>
  );
}

/** At the top of the edit page. */
export function DeliveryPausedNotice({ server }: { server: MailServer }) {
  const d = server.delivery;
  if (!d || d.state !== 'held') return null;
  return (
    <Alert kind="error" title="Sending paused">
      <p>
        {d.message ?? 'A settings problem stopped sending through this server.'}
        {d.code ? <> (<code>{d.code}</code>)</> : null}
        {d.since ? <> Paused since {formatDateTime(d.since)}.</> : null}
      </p>
      <p>
        Mail for this server waits instead of being sent; nothing is lost. Save the fixed settings or retry a held message to resume.{' '}
        <a href={heldMessagesHref(server.id)}>See held messages</a>
      </p>
    </Alert>
  );
}
