// A tiny hash router: "#/mail-servers/abc/edit?x=1". Hash routing needs no server-side fallback, so
// web/dist can be served as plain static files by any server.
import { useSyncExternalStore } from 'react';

export interface Route {
  path: string;
  query: URLSearchParams;
}

function currentHash(): string {
  const raw = window.location.hash.replace(/^#/, '');
  return raw.startsWith('/') ? raw : `/${raw}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash, () => '/');
  const [path, search = ''] = hash.split('?', 2);
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query: new URLSearchParams(search) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const target = `#${to}`;
  if (options.replace) {
    window.history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (window.location.hash !== target) {
    window.location.hash = to;
  } else {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  }
}

/** Match "/mail-servers/:id/edit" against a path; returns the params or null. */
export function matchRoute(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i];
    if (part.startsWith(':')) params[part.slice(1)] = decodeURIComponent(s[i]);
    else if (part !== s[i]) return null;
  }
  return params;
}

export function href(to: string): string {
  return `#${to}`;
}
