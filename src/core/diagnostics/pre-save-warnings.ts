// Warnings the server form shows before any connection: combinations that cannot work (SSL/TLS on
// the STARTTLS ports and the reverse), that are unsafe (a password sent in clear), or that are known
// to fail with a provider (password login at Google or Microsoft). Warnings do not block saving;
// validation errors are core/servers' job.
import type { AuthMechanism, SecurityMode } from '../model.ts';
import { KNOWN_WRONG_HOSTS, looksLikeIncomingServer, normalizeHost, providerFamily } from './known-providers.ts';

export interface ServerSettingsForWarnings {
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism | null;
  preset?: string | null;
}

export interface SettingsWarning {
  /** Stable code, for tests and for the UI to pick an icon. */
  code: string;
  /** The form field the warning belongs next to. */
  field: 'host' | 'port' | 'security' | 'authMechanism';
  message: string;
}

/** Ports where the server speaks plain SMTP first and upgrades with STARTTLS. */
const STARTTLS_PORTS = new Set([25, 587]);
/** Port 465: TLS from the first byte (RFC 8314 "submissions"). */
const IMPLICIT_TLS_PORTS = new Set([465]);
const IP_LITERAL = /^(\d{1,3}(\.\d{1,3}){3}|\[?[0-9a-f:]+:[0-9a-f:.]*\]?)$/i;

export function warningsFor(settings: ServerSettingsForWarnings): SettingsWarning[] {
  const warnings: SettingsWarning[] = [];
  const host = settings.host.trim();
  const name = normalizeHost(host);

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    warnings.push({ code: 'URL_AS_HOST', field: 'host', message: 'Enter only the server name, without "smtp://" or "https://" (for example smtp.example.com).' });
  } else if (host.includes('@')) {
    warnings.push({ code: 'ADDRESS_AS_HOST', field: 'host', message: 'This looks like an email address. The host is the mail server\'s name, for example smtp.example.com.' });
  } else if (/^[^:\s]+:\d+$/.test(host)) {
    warnings.push({ code: 'PORT_IN_HOST', field: 'host', message: 'Put the port in the Port field, not after the host name.' });
  }

  const meant = KNOWN_WRONG_HOSTS[name];
  if (meant) warnings.push({ code: 'KNOWN_WRONG_HOST', field: 'host', message: `${name} is not a mail submission server; you probably mean ${meant}.` });
  if (looksLikeIncomingServer(host)) warnings.push({ code: 'INCOMING_SERVER_HOST', field: 'host', message: 'This looks like an incoming mail (IMAP/POP3) server; sending needs the SMTP server, often smtp.<domain>.' });

  if (settings.security === 'tls' && STARTTLS_PORTS.has(settings.port)) {
    warnings.push({ code: 'TLS_ON_STARTTLS_PORT', field: 'security', message: `Port ${settings.port} normally uses STARTTLS, not SSL/TLS: choose STARTTLS, or port 465 for SSL/TLS.` });
  }
  if (settings.security !== 'tls' && IMPLICIT_TLS_PORTS.has(settings.port)) {
    warnings.push({ code: 'PORT_EXPECTS_TLS', field: 'security', message: `Port ${settings.port} expects SSL/TLS from the first byte: choose SSL/TLS, or port 587 for STARTTLS.` });
  }

  if (settings.authEnabled && settings.security === 'none' && settings.authMechanism !== 'cram-md5') {
    const what = settings.authMechanism === 'xoauth2' ? 'access token' : 'password';
    warnings.push({ code: 'PASSWORD_IN_CLEAR', field: 'security', message: `Without encryption the ${what} travels in clear text over the network: choose STARTTLS or SSL/TLS.` });
  }

  const family = providerFamily(host, settings.preset);
  if (settings.authEnabled && settings.authMechanism !== 'xoauth2') {
    if (family === 'microsoft') {
      warnings.push({ code: 'BASIC_AUTH_RETIRING', field: 'authMechanism', message: 'Microsoft is switching off password login (basic authentication) for SMTP: use OAuth2 (XOAUTH2).' });
    } else if (family === 'google') {
      warnings.push({ code: 'GOOGLE_APP_PASSWORD', field: 'authMechanism', message: 'Google accepts only an app password here (with 2-step verification on), not the account password; OAuth2 (XOAUTH2) is preferred.' });
    }
  }

  if (settings.security !== 'none' && IP_LITERAL.test(host)) {
    warnings.push({ code: 'IP_WITH_TLS', field: 'host', message: 'Certificates name servers by host name: with an IP address the certificate check usually fails. Use the server\'s host name.' });
  }
  return warnings;
}
