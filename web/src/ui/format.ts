// Display helpers shared by the pages.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit',
});

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "host:port", with IPv6 literals bracketed the way SMTP clients write them. */
export function smtpAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const SECURITY_LABELS: Record<string, string> = {
  none: 'None',
  starttls: 'STARTTLS',
  tls: 'SSL/TLS',
};

export const MECHANISM_LABELS: Record<string, string> = {
  plain: 'PLAIN',
  login: 'LOGIN',
  'cram-md5': 'CRAM-MD5',
  xoauth2: 'XOAUTH2 (OAuth 2.0)',
};

/** "a@x.com, b@y.com" → ["a@x.com", "b@y.com"]; also splits on semicolons and new lines. */
export function splitList(text: string): string[] {
  return text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean);
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
}
