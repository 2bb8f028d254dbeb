// System admins: the companies they manage, and a form to add a child company.
import { useState, type FormEvent } from 'react';
import { useSession, useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { Loading, PageHeader } from '../../ui/page-header.tsx';
import { slugify } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { companiesApi } from './companies-api.ts';
import { companyTree } from './company-tree.ts';

export function CompaniesPage() {
  const { actingCompany, isSystemAdmin } = useSignedIn();
  const { refresh, switchCompany } = useSession();
  const companies = useAsync((signal) => companiesApi.list(signal), []);
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTyped, setSlugTyped] = useState(false);
  const [parentId, setParentId] = useState(actingCompany.id);
  const [notice, setNotice] = useState<string | null>(null);
  const sub = useSubmission();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const created = await sub.run(() => companiesApi.create({ name: name.trim(), slug: slug.trim(), parentId }));
    if (created) {
      setName('');
      setSlug('');
      setSlugTyped(false);
      await Promise.all([companies.reload(), refresh()]);
      setNotice(`Company “${created.name}” created. Pick it under “Acting for” to configure its mail.`);
    }
  }

  const list = companies.data ?? [];
  const byId = new Map(list.map((c) => [c.id, c]));
  return (
    <>
      <PageHeader title="Companies" description="Companies nest: a reseller's child companies can use the mail servers it makes available to them." />
      {notice ? <Alert kind="success" onDismiss={() => setNotice(null)}>{notice}</Alert> : null}
      {companies.error ? <Alert kind="error">{companies.error}</Alert> : null}
      <div className="two-col">
        <section className="card" aria-labelledby="companies-title">
          <h2 className="card__title" id="companies-title">Companies you manage</h2>
          {companies.loading && !companies.data ? (
            <Loading />
          ) : (
            <table className="table" aria-label="Companies">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Slug</th>
                  <th scope="col">Parent</th>
                  <th scope="col" className="table__actions-col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {companyTree(list).map(({ company: c, depth }) => (
                  <tr key={c.id}>
                    <th scope="row" style={{ paddingLeft: `${0.75 + depth * 1.25}rem` }}>{c.name}</th>
                    <td className="mono">{c.slug}</td>
                    <td>{c.parentId ? byId.get(c.parentId)?.name ?? '—' : '—'}</td>
                    <td>
                      {c.id === actingCompany.id ? (
                        <Badge tone="blue">Acting for</Badge>
                      ) : (
                        <button type="button" className="link-button" aria-label={`Act for ${c.name}`} onClick={() => switchCompany(c.id)}>Act for</button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {isSystemAdmin ? (
          <section className="card" aria-labelledby="new-company-title">
            <h2 className="card__title" id="new-company-title">Add a child company</h2>
            {sub.error ? <Alert kind="error">{sub.error}</Alert> : null}
            <form onSubmit={onSubmit} noValidate className="form-stack">
              <TextField
                label="Company name"
                value={name}
                onChange={(v) => {
                  setName(v);
                  if (!slugTyped) setSlug(slugify(v));
                }}
                error={sub.fieldErrors.name}
                required
              />
              <TextField
                label="Slug"
                value={slug}
                onChange={(v) => {
                  setSlug(v);
                  setSlugTyped(v !== '');
                }}
                error={sub.fieldErrors.slug}
                required
                spellCheck={false}
                hint="Short name used by the CLI and in references, e.g. acme-emea."
              />
              <SelectField
                label="Parent company"
                value={parentId}
                onChange={setParentId}
                options={companyTree(list).map(({ company, depth }) => ({ value: company.id, label: `${'\u00a0\u00a0'.repeat(depth)}${company.name}` }))}
                error={sub.fieldErrors.parentId}
              />
              <div className="form-actions form-actions--tight">
                <button type="submit" className="button button--primary" disabled={sub.submitting}>{sub.submitting ? 'Creating…' : 'Create company'}</button>
              </div>
            </form>
          </section>
        ) : null}
      </div>
    </>
  );
}
