// The company's sending domains: add one (Mailroom then shows the records to publish on its own
// page), and see at a glance which are verified.
import { useState, type FormEvent } from 'react';
import { useSignedIn } from '../../app/session.tsx';
import { href, navigate } from '../../app/router.ts';
import { setFlash } from '../../app/flash.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { TextField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { DOMAIN_STATUS } from './domain-labels.ts';
import { domainsApi } from './domains-api.ts';

export const DOMAINS_PATH = '/domains';
export const domainPath = (id: string) => `${DOMAINS_PATH}/${encodeURIComponent(id)}`;

export function DomainsPage() {
  const { actingCompany } = useSignedIn();
  const domains = useAsync((signal) => domainsApi.list(signal), []);
  const [name, setName] = useState('');
  const sub = useSubmission();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const added = await sub.run(() => domainsApi.add(name.trim()));
    if (!added) return;
    setFlash(`${added.domain} added. Publish the records below at your DNS provider, then press Check now.`);
    navigate(domainPath(added.id));
  }

  const list = domains.data ?? [];
  return (
    <>
      <PageHeader
        title="Domains"
        description={`The domains ${actingCompany.name}'s mail is sent from. Mailroom shows the DNS records to publish for each and checks them; once SPF and DKIM are found, it signs the domain's mail with DKIM so receivers trust it.`}
      />
      <section className="card" aria-labelledby="add-domain-title">
        <h2 className="card__title" id="add-domain-title">Add a domain</h2>
        {sub.error && !sub.fieldErrors.domain ? <Alert kind="error">{sub.error}</Alert> : null}
        <form onSubmit={onSubmit} noValidate className="inline-form" aria-label="Add a domain">
          <TextField
            label="Domain"
            value={name}
            onChange={(v) => { setName(v); sub.dismissField('domain'); }}
            error={sub.fieldErrors.domain}
            required
            placeholder="example.com"
            spellCheck={false}
            autoComplete="off"
            hint="The part after @ in the addresses you send from."
          />
          <button type="submit" className="button button--primary" disabled={sub.submitting}>{sub.submitting ? 'Adding…' : 'Add domain'}</button>
        </form>
      </section>
      {domains.error ? <Alert kind="error">{domains.error}</Alert> : null}
      {domains.loading && !domains.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <EmptyState title="No domains yet">
          <p>Add the domain your mail is sent from to see the DNS records to publish.</p>
        </EmptyState>
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="Sending domains">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Status</th>
                <th scope="col">Last checked</th>
                <th scope="col">DMARC policy</th>
              </tr>
            </thead>
            <tbody>
              {list.map((d) => {
                const status = DOMAIN_STATUS[d.status];
                return (
                  <tr key={d.id}>
                    <th scope="row" className="table__name">
                      <a href={href(domainPath(d.id))}>{d.domain}</a>
                      {d.nextDkimSelector ? <span className="table__sub">New DKIM key waiting for its record</span> : null}
                    </th>
                    <td><Badge tone={status.tone}>{status.label}</Badge></td>
                    <td>{d.checkedAt ? <time dateTime={d.checkedAt} title={formatDateTime(d.checkedAt)}>{formatRelative(d.checkedAt)}</time> : 'Never'}</td>
                    <td>{d.dmarcPolicy}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
