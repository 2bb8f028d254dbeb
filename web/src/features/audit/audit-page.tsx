// The audit log: who changed what, when. Secrets never appear in it.
import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { AuditItem, Items } from '../../api/types.ts';
import { href, navigate, useRoute } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { SelectField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { ActorLabel } from '../../ui/actor-label.tsx';
import { useAsync } from '../../ui/use-async.ts';

const TARGET_TYPES = [
  { value: 'mail_server', label: 'Mail servers' },
  { value: 'message', label: 'Messages' },
  { value: 'webhook', label: 'Webhooks' },
  { value: 'secret', label: 'Secrets' },
  { value: 'api_key', label: 'API keys' },
  { value: 'company', label: 'Companies' },
  { value: 'user', label: 'Users' },
];

function detailsText(details: AuditItem['details']): string {
  if (!details || Object.keys(details).length === 0) return '';
  return Object.entries(details)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x !== 'object') ? v.join(', ') || '—' : JSON.stringify(v)}`)
    .join(' · ');
}

export function AuditPage() {
  const { query } = useRoute();
  const targetType = query.get('targetType') ?? '';
  const targetId = query.get('targetId') ?? '';
  const [limit, setLimit] = useState('50');
  const log = useAsync(
    (signal) => api.get<Items<AuditItem>>('/audit-log', { signal, query: { targetType, targetId, limit } }).then((r) => r.items),
    [targetType, targetId, limit],
  );

  function setFilter(type: string) {
    const q = new URLSearchParams();
    if (type) q.set('targetType', type);
    navigate(`/audit${q.size ? `?${q}` : ''}`);
  }

  const items = log.data ?? [];
  return (
    <>
      <PageHeader title="Audit log" description="Every change to settings: who made it, when, and what changed. Passwords and secret values are never recorded." />
      <div className="filters">
        <SelectField label="Show" value={targetType} onChange={setFilter} options={TARGET_TYPES} placeholder="All changes" />
        <SelectField label="Entries" value={limit} onChange={setLimit} options={['50', '100', '200'].map((v) => ({ value: v, label: `Latest ${v}` }))} />
        {targetId ? (
          <p className="filters__note">
            One item only · <a href={href(targetType ? `/audit?targetType=${encodeURIComponent(targetType)}` : '/audit')}>show all</a>
          </p>
        ) : null}
      </div>
      {log.error ? <Alert kind="error">{log.error}</Alert> : null}
      {log.loading && !log.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title="Nothing recorded yet" />
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="Audit log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td className="nowrap"><time dateTime={e.createdAt}>{formatDateTime(e.createdAt)}</time></td>
                  <td><ActorLabel label={e.actorLabel} /></td>
                  <td className="mono">{e.action}</td>
                  <td className="nowrap">
                    {e.targetType === 'mail_server' && e.targetId ? (
                      <a href={href(`/mail-servers/${encodeURIComponent(e.targetId)}/history`)}>{e.targetType.replace(/_/g, ' ')}</a>
                    ) : (
                      e.targetType.replace(/_/g, ' ')
                    )}
                    {e.targetId ? <span className="table__sub mono">{e.targetId.slice(0, 8)}</span> : null}
                  </td>
                  <td className="audit-details">{detailsText(e.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
