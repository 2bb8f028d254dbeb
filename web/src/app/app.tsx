// The app's top level: first-run setup, sign-in, or the signed-in shell with its pages.
import { useEffect, useState, type ReactNode } from 'react';
import { errorMessage } from '../api/client.ts';
import { useSession, useSignedIn } from './session.tsx';
import { href, matchRoute, navigate, useRoute } from './router.ts';
import { Alert } from '../ui/alert.tsx';
import { FlashAlert } from '../ui/flash-alert.tsx';
import { Loading, PageHeader } from '../ui/page-header.tsx';
import { SetupPage } from '../features/setup/setup-page.tsx';
import { SignInPage } from '../features/session/sign-in-page.tsx';
import { MailServersPage } from '../features/mail-servers/mail-servers-page.tsx';
import { MailServerFormPage } from '../features/mail-servers/mail-server-form-page.tsx';
import { MailServerHistoryPage } from '../features/mail-servers/mail-server-history-page.tsx';
import { SecretsPage } from '../features/secrets/secrets-page.tsx';
import { ApiKeysPage } from '../features/api-keys/api-keys-page.tsx';
import { AuditPage } from '../features/audit/audit-page.tsx';
import { CompaniesPage } from '../features/companies/companies-page.tsx';
import { CompanySwitcher } from '../features/companies/company-switcher.tsx';
import { UsersPage } from '../features/users/users-page.tsx';
import { WebhooksPage } from '../features/webhooks/webhooks-page.tsx';
import { DomainsPage, DOMAINS_PATH } from '../features/domains/domains-page.tsx';
import { DomainDetailPage } from '../features/domains/domain-detail-page.tsx';
import { SenderAddressesPage } from '../features/sender-addresses/sender-addresses-page.tsx';
import { VerifySenderPage } from '../features/sender-addresses/verify-sender-page.tsx';
import { VERIFY_SENDER_PATH } from '../features/sender-addresses/sender-addresses-api.ts';
import { AccountPage } from '../features/account/account-page.tsx';
import { AdminOnlyPage } from '../features/account/admin-only-page.tsx';
import { FailureHistoryPage } from '../features/failure-history/failure-history-page.tsx';
import { MessageDetailPage } from '../features/failure-history/message-detail-page.tsx';
import { HISTORY_PATH } from '../features/failure-history/history-filters.ts';
import { CaughtMailPage } from '../features/catcher/caught-mail-page.tsx';
import { CaughtMessagePage } from '../features/catcher/caught-message-page.tsx';
import { CATCHER_PATH } from '../features/catcher/catcher-api.ts';
import { roleLabel } from '../ui/role-label.ts';
import { ACCOUNT_PATH, homePath } from './access.ts';

export function App() {
  const { state, refresh } = useSession();
  // Public pages (opened from a link in an email): no sign-in, whatever the session says.
  if (window.location.pathname === VERIFY_SENDER_PATH) return <VerifySenderPage />;
  switch (state.status) {
    case 'loading':
      return <main className="auth-page"><Loading /></main>;
    case 'error':
      return (
        <main className="auth-page">
          <div className="auth-card">
            <Alert kind="error" title="Mailroom is not answering">{state.message}</Alert>
            <button type="button" className="button" onClick={() => void refresh()}>Try again</button>
          </div>
        </main>
      );
    case 'needs-setup':
      return <SetupPage />;
    case 'signed-out':
      return <SignInPage reason={state.reason} />;
    case 'signed-in':
      return <Shell />;
  }
}

interface NavItem {
  to: string;
  label: string;
  systemAdminOnly?: boolean;
  /** Members see these too (their personal settings); everything else is for admins. */
  everyone?: boolean;
}

const NAV: NavItem[] = [
  { to: '/mail-servers', label: 'Mail servers' },
  { to: HISTORY_PATH, label: 'Failure history' },
  { to: CATCHER_PATH, label: 'Caught mail' },
  { to: '/sender-addresses', label: 'Sender addresses' },
  { to: DOMAINS_PATH, label: 'Domains' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/secrets', label: 'Secrets' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/users', label: 'Users' },
  { to: '/audit', label: 'Audit log' },
  { to: '/companies', label: 'Companies', systemAdminOnly: true },
  { to: ACCOUNT_PATH, label: 'My account', everyone: true },
];

function Shell() {
  const session = useSignedIn();
  const { signOut } = useSession();
  const route = useRoute();
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const items = NAV.filter((n) => (n.everyone || session.isAdmin) && (!n.systemAdminOnly || session.isSystemAdmin));
  const home = homePath(session.isAdmin);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="header">
        <a className="header__brand" href={href(home)}><span className="brand-mark" aria-hidden="true" />Mailroom</a>
        <div className="header__right">
          <CompanySwitcher />
          <a
            className="header__user"
            href={href(ACCOUNT_PATH)}
            title={`My account (${session.user.email})`}
            aria-label={`${session.user.name}, ${roleLabel(session.user.role)}: My account`}
          >
            {session.user.name}
            <span className="header__role">{roleLabel(session.user.role)}</span>
          </a>
          <button
            type="button"
            className="button button--small"
            // The next person to sign in on this browser starts on their own home page.
            onClick={() => signOut().then(() => navigate('/', { replace: true }), (err: unknown) => setSignOutError(errorMessage(err)))}
          >
            Sign out
          </button>
        </div>
      </header>
      <div className="shell__body">
        <nav className="sidebar" aria-label="Main">
          <p className="sidebar__heading">{session.actingCompany.name}</p>
          <ul>
            {items.map((n) => {
              const active = route.path === n.to || route.path.startsWith(`${n.to}/`);
              return (
                <li key={n.to}>
                  <a className={`sidebar__link${active ? ' sidebar__link--active' : ''}`} href={href(n.to)} aria-current={active ? 'page' : undefined}>{n.label}</a>
                </li>
              );
            })}
          </ul>
        </nav>
        <main className="content" id="main" tabIndex={-1}>
          {signOutError ? <Alert kind="error" onDismiss={() => setSignOutError(null)}>{signOutError}</Alert> : null}
          {/* Keyed by route and company: switching either starts the page afresh. */}
          <div key={`${session.actingCompany.id}:${route.path}`}>
            <FlashAlert />
            <Page path={route.path} isAdmin={session.isAdmin} />
          </div>
        </main>
      </div>
    </div>
  );
}

function Page({ path, isAdmin }: { path: string; isAdmin: boolean }): ReactNode {
  if (path === '/' || path === '') return <Redirect to={homePath(isAdmin)} />;
  if (path === ACCOUNT_PATH) return <AccountPage />;
  const page = adminPage(path);
  // A member who opens an admin address (a bookmark, a link from a colleague) gets a word of
  // explanation, not the page's 403 errors.
  if (page) return isAdmin ? page : <AdminOnlyPage />;
  return (
    <>
      <PageHeader title="Page not found" />
      <p><a href={href(homePath(isAdmin))}>{isAdmin ? 'Go to mail servers' : 'Go to My account'}</a></p>
    </>
  );
}

/** The administrators' pages; null when the path names none of them. */
function adminPage(path: string): ReactNode {
  if (path === '/mail-servers') return <MailServersPage />;
  if (path === '/mail-servers/new') return <MailServerFormPage />;
  let m = matchRoute('/mail-servers/:id/edit', path);
  if (m) return <MailServerFormPage serverId={m.id} />;
  m = matchRoute('/mail-servers/:id/history', path);
  if (m) return <MailServerHistoryPage serverId={m.id} />;
  if (path === HISTORY_PATH) return <FailureHistoryPage />;
  m = matchRoute(`${HISTORY_PATH}/:id`, path);
  if (m) return <MessageDetailPage messageId={m.id} />;
  if (path === CATCHER_PATH) return <CaughtMailPage />;
  const caught = matchRoute(`${CATCHER_PATH}/:id`, path);
  if (caught) return <CaughtMessagePage messageId={caught.id} />;
  if (path === '/webhooks') return <WebhooksPage />;
  if (path === DOMAINS_PATH) return <DomainsPage />;
  const domain = matchRoute(`${DOMAINS_PATH}/:id`, path);
  if (domain) return <DomainDetailPage domainId={domain.id} />;
  if (path === '/sender-addresses') return <SenderAddressesPage />;
  if (path === '/secrets') return <SecretsPage />;
  if (path === '/api-keys') return <ApiKeysPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/companies') return <CompaniesPage />;
  if (path === '/users') return <UsersPage />;
  return null;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
