// Host names of the providers whose SMTP rules differ from the standard (Google wants app
// passwords or OAuth2, Microsoft is switching password login off), and host names admins often
// type that are known to be wrong. Used by pre-save warnings and to tailor a probe's fix.

export type ProviderFamily = 'google' | 'microsoft';

const GOOGLE_HOSTS = new Set(['smtp.gmail.com', 'smtp.googlemail.com', 'smtp-relay.gmail.com']);
const MICROSOFT_HOSTS = new Set(['smtp.office365.com', 'smtp-mail.outlook.com', 'outlook.office365.com', 'smtp.outlook.office365.com']);

/** Preset ids (core/servers/provider-presets.ts) that belong to a family. */
const GOOGLE_PRESETS = new Set(['google', 'google-relay']);
const MICROSOFT_PRESETS = new Set(['microsoft365', 'outlook']);

export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

export function providerFamily(host: string, preset?: string | null): ProviderFamily | null {
  const name = normalizeHost(host);
  if (GOOGLE_HOSTS.has(name) || (preset && GOOGLE_PRESETS.has(preset))) return 'google';
  if (MICROSOFT_HOSTS.has(name) || name.endsWith('.mail.protection.outlook.com') || (preset && MICROSOFT_PRESETS.has(preset))) return 'microsoft';
  return null;
}

/** Wrong host → the one the admin most likely meant. */
export const KNOWN_WRONG_HOSTS: Readonly<Record<string, string>> = {
  'smtp.google.com': 'smtp.gmail.com',
  'gmail.com': 'smtp.gmail.com',
  'smtp.gmail.co': 'smtp.gmail.com',
  'smtp.office.com': 'smtp.office365.com',
  'smtp.microsoft.com': 'smtp.office365.com',
  'smtp.office365.co': 'smtp.office365.com',
  'office365.com': 'smtp.office365.com',
  'smtp.outlook.office.com': 'smtp.office365.com',
  'smtp.hotmail.com': 'smtp-mail.outlook.com',
  'smtp.yahoo.com': 'smtp.mail.yahoo.com',
};

/** Host names of incoming-mail (IMAP/POP3) servers, typed where the SMTP server belongs. */
export function looksLikeIncomingServer(host: string): boolean {
  return /^(imap|pop|pop3)\d*\./.test(normalizeHost(host));
}
