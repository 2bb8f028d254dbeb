// One sending domain: the records to publish with copy buttons, "Check now" and what it found record
// by record, the DMARC policy, DKIM key rotation, and removal.
import { useEffect, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { href, navigate } from '../../app/router.ts';
import { setFlash } from '../../app/flash.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField } from '../../ui/field.tsx';
import { Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { DMARC_OPTIONS, DOMAIN_STATUS } from './domain-labels.ts';
import { DnsRecordsTable } from './dns-records-table.tsx';
import { domainsApi, type DmarcPolicy, type SendingDomain } from './domains-api.ts';
import { DOMAINS_PATH } from './domains-page.tsx';
import './domains.css';

type Busy = 'check' | 'policy' | 'rotate' | 'remove' | null;

export function DomainDetailPage({ domainId }: { domainId: string }) {
  const loaded = useAsync((signal) => domainsApi.get(domainId, signal), [domainId]);
  const [domain, setDomain] = useState<SendingDomain | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [policy, setPolicy] = useState<DmarcPolicy>('quarantine');
  const [dialog, setDialog] = useState<'rotate' | 'remove' | null>(null);

  useEffect(() => {
    if (loaded.data) {
      setDomain(loaded.data);
      setPolicy(loaded.data.dmarcPolicy);
    }
  }, [loaded.data]);

  async function act(what: Exclude<Busy, null>, work: () => Promise<SendingDomain | void>, success?: (d: SendingDomain) => string | null) {
    setBusy(what);
    setNotice(null);
    try {
      const answer = await work();
      if (answer) {
        setDomain(answer);
        const text = success?.(answer);
        if (text) setNotice({ kind: 'success', text });
      }
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(null);
      setDialog(null);
    }
  }

  if (loaded.error && !domain) {
    return (
      <>
        <PageHeader title="Domain" back={{ href: href(DOMAINS_PATH), label: 'Domains' }} />
        <Alert kind="error">{loaded.error}</Alert>
      </>
    );
  }
  if (!domain) return <Loading />;

  const status = DOMAIN_STATUS[domain.status];
  const check = domain.lastCheck;
  return (
    <div className="domain-page">
      <PageHeader
        title={domain.domain}
        back={{ href: href(DOMAINS_PATH), label: 'Domains' }}
        actions={
          <button type="button" className="button button--primary" disabled={busy !== null} onClick={() => void act('check', () => domainsApi.check(domain.id), (d) => d.lastCheck?.changes.join(' ') || null)}>
            {busy === 'check' ? 'Checking…' : 'Check now'}
          </button>
        }
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}

      <section className={`card domain-summary domain-summary--${domain.status}`} aria-labelledby="domain-status-title" aria-live="polite">
        <h2 className="card__title" id="domain-status-title">Status <Badge tone={status.tone}>{status.label}</Badge></h2>
        <p>{check ? check.summary : 'Not checked yet: publish the records below at your DNS provider, then press Check now. New records can take a few minutes (sometimes hours) to appear.'}</p>
        {check ? (
          <p className="muted">
            Last checked <time dateTime={check.checkedAt} title={formatDateTime(check.checkedAt)}>{formatRelative(check.checkedAt)}</time>
            {domain.verifiedAt ? <> · verified since {formatDateTime(domain.verifiedAt)}</> : null}
          </p>
        ) : null}
      </section>

      <section className="card table-card" aria-labelledby="domain-records-title">
        <h2 className="card__title card__title--padded" id="domain-records-title">DNS records to publish</h2>
        <p className="muted card__title--padded">
          Add these at the company that hosts the DNS of {domain.domain}. Some DNS panels add the domain to the name themselves: then enter only the part before <code>.{domain.domain}</code>.
        </p>
        <DnsRecordsTable domain={domain} />
      </section>

      <section className="card" aria-labelledby="domain-dmarc-title">
        <h2 className="card__title" id="domain-dmarc-title">DMARC policy</h2>
        <p className="muted">What receivers do with mail that claims to be from {domain.domain} but fails SPF and DKIM. Changing it changes the DMARC record above; publish the new value.</p>
        <div className="inline-form">
          <SelectField label="Policy" value={policy} onChange={(v) => setPolicy(v as DmarcPolicy)} options={DMARC_OPTIONS} />
          <button
            type="button"
            className="button"
            disabled={busy !== null || policy === domain.dmarcPolicy}
            onClick={() => void act('policy', () => domainsApi.setDmarcPolicy(domain.id, policy), (d) => `DMARC policy set to ${d.dmarcPolicy}. Publish the new DMARC record, then check again.`)}
          >
            {busy === 'policy' ? 'Saving…' : 'Save policy'}
          </button>
        </div>
      </section>

      <section className="card" aria-labelledby="domain-dkim-title">
        <h2 className="card__title" id="domain-dkim-title">DKIM key</h2>
        <p className="muted">
          Mailroom signs with the key of selector <code>{domain.dkimSelector}</code>.
          {domain.nextDkimSelector
            ? <> A new key (selector <code>{domain.nextDkimSelector}</code>) is waiting: publish its record (“DKIM (new key)” above) next to the current one, then check. Mailroom switches to it once it is found.</>
            : ' Rotating makes a new key under a new selector; the current key keeps signing until the new record is found.'}
        </p>
        <div className="form-actions form-actions--tight">
          <button type="button" className="button" disabled={busy !== null || domain.nextDkimSelector !== null} onClick={() => setDialog('rotate')}>Rotate DKIM key</button>
          <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => setDialog('remove')}>Remove domain</button>
        </div>
      </section>

      <Dialog
        open={dialog === 'rotate'}
        title="Make a new DKIM key?"
        onClose={() => setDialog(null)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)} disabled={busy === 'rotate'}>Cancel</button>
            <button
              type="button"
              className="button button--primary"
              disabled={busy === 'rotate'}
              onClick={() => void act('rotate', () => domainsApi.rotateDkim(domain.id), () => 'New DKIM key made. Publish its record (“DKIM (new key)”), keep the current one, then press Check now.')}
            >
              {busy === 'rotate' ? 'Making…' : 'Make new key'}
            </button>
          </>
        }
      >
        <p>Mailroom shows a second DKIM record to publish. Nothing changes for your mail until a check finds it; then the new key signs and the old one is dropped.</p>
      </Dialog>
      <Dialog
        open={dialog === 'remove'}
        title={`Remove ${domain.domain}?`}
        onClose={() => setDialog(null)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setDialog(null)} disabled={busy === 'remove'}>Cancel</button>
            <button
              type="button"
              className="button button--danger"
              disabled={busy === 'remove'}
              onClick={() => void act('remove', async () => {
                await domainsApi.remove(domain.id);
                setFlash(`${domain.domain} removed. You may delete its DNS records.`);
                navigate(DOMAINS_PATH);
              })}
            >
              {busy === 'remove' ? 'Removing…' : 'Remove domain'}
            </button>
          </>
        }
      >
        <p>Mailroom stops signing mail from {domain.domain} with its DKIM key, and its key is deleted. Adding the domain again makes a new key with new records.</p>
      </Dialog>
    </div>
  );
}
