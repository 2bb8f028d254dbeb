// What a member sees at an administrators' address: a plain explanation and the way to what they
// may change, instead of the 403 answers the page's API calls would get.
import { href } from '../../app/router.ts';
import { ACCOUNT_PATH } from '../../app/access.ts';
import { useSignedIn } from '../../app/session.tsx';
import { PageHeader } from '../../ui/page-header.tsx';

export function AdminOnlyPage() {
  const { actingCompany } = useSignedIn();
  return (
    <>
      <PageHeader title="Only administrators can change mail settings" />
      <section className="card notice-card">
        <p>
          This page is for administrators of {actingCompany.name}. Your account is a member account, so it can
          change only your own name and password.
        </p>
        <p>If a mail setting needs to change, ask an administrator of your company.</p>
        <p className="notice-card__action"><a className="button" href={href(ACCOUNT_PATH)}>Go to My account</a></p>
      </section>
    </>
  );
}
