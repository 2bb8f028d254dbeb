// Who is signed in, and for which company they act. The first thing the app asks the API is whether
// setup is still needed (GET /setup), then who the session belongs to (GET /session).
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, errorMessage, getActingCompany, setActingCompany, setCsrfToken, setUnauthenticatedHandler } from '../api/client.ts';
import type { Company, SessionInfo, SetupAnswer } from '../api/types.ts';
import { ACCOUNT_PATH, isAdminRole } from './access.ts';
import { navigate } from './router.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'needs-setup' }
  | { status: 'signed-out'; reason?: string }
  | { status: 'signed-in'; session: SessionInfo }
  | { status: 'error'; message: string };

export interface SessionContextValue {
  state: SessionState;
  /** The company pages act for: the user's own, or the one a system admin picked. */
  actingCompany: Company | null;
  isSystemAdmin: boolean;
  isAdmin: boolean;
  signIn(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  completeSetup(answer: SetupAnswer): Promise<void>;
  switchCompany(companyId: string): void;
  refresh(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function loadSession(): Promise<SessionState> {
  try {
    const { needsSetup } = await api.get<{ needsSetup: boolean }>('/setup', { noCompany: true });
    if (needsSetup) return { status: 'needs-setup' };
  } catch (err) {
    return { status: 'error', message: errorMessage(err) };
  }
  try {
    const session = await api.get<SessionInfo>('/session', { noCompany: true });
    return { status: 'signed-in', session };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { status: 'signed-out' };
    return { status: 'error', message: errorMessage(err) };
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [actingId, setActingId] = useState<string | null>(getActingCompany());

  const apply = useCallback((next: SessionState) => {
    if (next.status === 'signed-in') {
      setCsrfToken(next.session.csrfToken);
      // A remembered choice from an earlier sign-in must name a company this user may act for.
      const remembered = getActingCompany();
      const allowed = next.session.companies ?? [];
      if (remembered && (remembered === next.session.company.id || !allowed.some((c) => c.id === remembered))) {
        setActingCompany(null);
        setActingId(null);
      }
    } else {
      setCsrfToken(null);
      setActingCompany(null);
      setActingId(null);
    }
    setState(next);
  }, []);

  const refresh = useCallback(async () => {
    apply(await loadSession());
  }, [apply]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    setUnauthenticatedHandler(() => apply({ status: 'signed-out', reason: 'Your session ended. Sign in again.' }));
    return () => setUnauthenticatedHandler(null);
  }, [apply]);

  const signIn = useCallback(async (email: string, password: string) => {
    const answer = await api.post<SetupAnswer>('/session', { email, password }, { noCompany: true });
    setCsrfToken(answer.csrfToken);
    // Members may use only their personal settings, so that is where they start, whatever the
    // address said before; admins keep the page they were on (or the mail servers, from "/").
    if (!isAdminRole(answer.user.role)) navigate(ACCOUNT_PATH, { replace: true });
    await refresh();
  }, [refresh]);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/session', { noCompany: true });
    } catch (err) {
      // Already signed out on the server: the outcome the user asked for.
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    apply({ status: 'signed-out' });
  }, [apply]);

  const completeSetup = useCallback(async (answer: SetupAnswer) => {
    setCsrfToken(answer.csrfToken);
    await refresh();
  }, [refresh]);

  const switchCompany = useCallback((companyId: string) => {
    if (state.status !== 'signed-in') return;
    const own = state.session.company.id;
    const next = companyId === own ? null : companyId;
    setActingCompany(next);
    setActingId(next);
  }, [state]);

  const value = useMemo<SessionContextValue>(() => {
    let actingCompany: Company | null = null;
    let isSystemAdmin = false;
    let isAdmin = false;
    if (state.status === 'signed-in') {
      const s = state.session;
      actingCompany = (actingId && s.companies?.find((c) => c.id === actingId)) || s.company;
      isSystemAdmin = s.user.role === 'system_admin';
      isAdmin = isSystemAdmin || s.user.role === 'company_admin';
    }
    return { state, actingCompany, isSystemAdmin, isAdmin, signIn, signOut, completeSetup, switchCompany, refresh };
  }, [state, actingId, signIn, signOut, completeSetup, switchCompany, refresh]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside <SessionProvider>');
  return ctx;
}

/** The signed-in session; only for pages rendered inside the signed-in shell. */
export function useSignedIn(): SessionInfo & { actingCompany: Company; isSystemAdmin: boolean; isAdmin: boolean } {
  const ctx = useSession();
  if (ctx.state.status !== 'signed-in' || !ctx.actingCompany) throw new Error('useSignedIn outside the signed-in shell');
  return { ...ctx.state.session, actingCompany: ctx.actingCompany, isSystemAdmin: ctx.isSystemAdmin, isAdmin: ctx.isAdmin };
}
