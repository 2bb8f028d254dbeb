// The header's "Acting for" picker: a system admin may act for any descendant company. The choice
// becomes the X-Mailroom-Company header on every request (see api/client.ts).
import { useId } from 'react';
import { useSession, useSignedIn } from '../../app/session.tsx';
import { companyTree } from './company-tree.ts';

export function CompanySwitcher() {
  const { companies, actingCompany } = useSignedIn();
  const { switchCompany } = useSession();
  const id = useId();
  if (!companies || companies.length < 2) return <span className="header__company">{actingCompany.name}</span>;
  return (
    <div className="switcher">
      <label htmlFor={id} className="switcher__label">Acting for</label>
      <select id={id} className="input input--select switcher__select" value={actingCompany.id} onChange={(e) => switchCompany(e.target.value)}>
        {companyTree(companies).map(({ company, depth }) => (
          <option key={company.id} value={company.id}>{`${'\u00a0\u00a0'.repeat(depth)}${depth > 0 ? '└ ' : ''}${company.name}`}</option>
        ))}
      </select>
    </div>
  );
}
