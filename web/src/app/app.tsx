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

export function App() {
  const { state, refresh } = useSession();
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
}

const NAV: NavItem[] = [
  { to: '/mail-servers', label: 'Mail servers' },
  { to: '/secrets', label: 'Secrets' },
  { to: '/api-keys', label: 'API keys' },
  { to: '/audit', label: 'Audit log' },
  { to: '/companies', label: 'Companies', systemAdminOnly: true },
];

function Shell() {
  const session = useSignedIn();
  const { signOut } = useSession();
  const route = useRoute();
  const [signOutError, setSignOutError] = useState<string | null>(null);
  const items = NAV.filter((n) => !n.systemAdminOnly || session.isSystemAdmin);

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="header">
        <a className="header__brand" href={href('/mail-servers')}><span className="brand-mark" aria-hidden="true" />Mailroom</a>
        <div className="header__right">
          <CompanySwitcher />
          <span className="header__user" title={session.user.email}>
            {session.user.name}
            <span className="header__role">{roleLabel(session.user.role)}</span>
          </span>
          <button
            type="button"
            className="button button--small"
            onClick={() => signOut().catch((err: unknown) => setSignOutError(errorMessage(err)))}
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
            {session.isAdmin ? <Page path={route.path} /> : <MemberNotice />}
          </div>
        </main>
      </div>
    </div>
  );
}

function roleLabel(role: string): string {
  return role === 'system_admin' ? 'System admin' : role === 'company_admin' ? 'Admin' : 'Member';
}

function Page({ path }: { path: string }): ReactNode {
  if (path === '/' || path === '') return <Redirect to="/mail-servers" />;
  if (path === '/mail-servers') return <MailServersPage />;
  if (path === '/mail-servers/new') return <MailServerFormPage />;
  let m = matchRoute('/mail-servers/:id/edit', path);
  if (m) return <MailServerFormPage serverId={m.id} />;
  m = matchRoute('/mail-servers/:id/history', path);
  if (m) return <MailServerHistoryPage serverId={m.id} />;
  if (path === '/secrets') return <SecretsPage />;
  if (path === '/api-keys') return <ApiKeysPage />;
  if (path === '/audit') return <AuditPage />;
  if (path === '/companies') return <CompaniesPage />;
  return (
    <>
      <PageHeader title="Page not found" />
      <p><a href={href('/mail-servers')}>Go to mail servers</a></p>
    </>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function MemberNotice() {
  return (
    <>
      <PageHeader title="Mail settings" />
      <Alert kind="info">Only administrators can change mail settings. Ask an administrator of your company if something needs to change.</Alert>
    </>
  );
}
