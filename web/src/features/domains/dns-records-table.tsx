// The records to publish, each with what the last check found at its name: one row per record,
// coloured by whether it keeps the domain from being verified (red), deserves attention (amber)
// or is in place (green).
import { Badge } from '../../ui/badge.tsx';
import { CopyButton } from './copy-button.tsx';
import { RECORD_LABELS, resultBadge } from './domain-labels.ts';
import type { DnsRecordCheck, SendingDomain } from './domains-api.ts';

export function DnsRecordsTable({ domain }: { domain: SendingDomain }) {
  const results = new Map((domain.lastCheck?.records ?? []).map((r) => [r.kind, r]));
  return (
    <div className="dns-records__scroll">
      <table className="table dns-records" aria-label={`DNS records for ${domain.domain}`}>
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Type</th>
            <th scope="col">Name and value</th>
            <th scope="col">Last check</th>
          </tr>
        </thead>
        <tbody>
          {domain.records.map((r) => {
            const check = results.get(r.kind);
            const badge = resultBadge(check);
            const label = RECORD_LABELS[r.kind];
            const id = `record-${r.kind}`;
            return (
              <tr key={r.kind} className={check ? `dns-record--${check.severity}` : undefined}>
                <th scope="row" className="dns-record__kind">
                  {label}
                  <span className="table__sub">{r.required ? 'Required' : 'Recommended'}</span>
                  <span className="dns-record__purpose">{r.purpose}</span>
                </th>
                <td className="mono">{r.type}</td>
                <td className="dns-record__value-cell">
                  <p className="dns-record__part">Name</p>
                  <div className="dns-record__value">
                    <code id={`${id}-name`}>{r.name}</code>
                    <CopyButton text={r.name} label={`${label} name`} targetId={`${id}-name`} />
                  </div>
                  <p className="dns-record__part">Value</p>
                  <div className="dns-record__value">
                    <code id={`${id}-value`}>{r.value}</code>
                    <CopyButton text={r.value} label={`${label} value`} targetId={`${id}-value`} />
                  </div>
                </td>
                <td className="dns-record__result">
                  <Badge tone={badge.tone}>{badge.label}</Badge>
                  {check ? <CheckDetails check={check} id={id} label={label} /> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function CheckDetails({ check, id, label }: { check: DnsRecordCheck; id: string; label: string }) {
  return (
    <>
      <p className="dns-record__message">{check.message}</p>
      {check.found.length > 0 && check.status !== 'ok' ? (
        <div className="dns-record__found">
          Found:
          <ul>{check.found.map((f, i) => <li key={i}><code>{f}</code></li>)}</ul>
        </div>
      ) : null}
      {check.suggestedValue ? (
        <div className="dns-record__found">
          Publish instead:
          <div className="dns-record__value">
            <code id={`${id}-suggested`}>{check.suggestedValue}</code>
            <CopyButton text={check.suggestedValue} label={`suggested ${label} value`} targetId={`${id}-suggested`} />
          </div>
        </div>
      ) : null}
    </>
  );
}
