// Provider presets: choosing one fills host, port, security and the auth mechanism. Values are the
// providers' published submission settings; `note` is what admins most often get wrong with each.
import type { AuthMechanism, SecurityMode } from '../model.ts';

export interface ProviderPreset {
  id: string;
  label: string;
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  note: string | null;
}

export const PROVIDER_PRESETS: readonly ProviderPreset[] = [
  { id: 'custom', label: 'Custom SMTP server', host: '', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: null },
  { id: 'google', label: 'Google Workspace / Gmail', host: 'smtp.gmail.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: 'Google requires an app password (or OAuth2) when 2-step verification is on.' },
  { id: 'google-relay', label: 'Google Workspace SMTP relay', host: 'smtp-relay.gmail.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: 'The relay must be enabled in the Google Admin console.' },
  { id: 'microsoft365', label: 'Microsoft 365 / Exchange Online', host: 'smtp.office365.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'login', note: 'Microsoft is switching basic authentication off: prefer OAuth2 (XOAUTH2). SMTP AUTH must be enabled for the mailbox.' },
  { id: 'outlook', label: 'Outlook.com / Hotmail', host: 'smtp-mail.outlook.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'login', note: 'Personal Microsoft accounts need an app password or OAuth2.' },
  { id: 'amazon-ses', label: 'Amazon SES (us-east-1)', host: 'email-smtp.us-east-1.amazonaws.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'login', note: 'Use SMTP credentials created in the SES console (not your AWS access key); change the region in the host name if needed.' },
  { id: 'sendgrid', label: 'SendGrid', host: 'smtp.sendgrid.net', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'login', note: 'The username is literally "apikey"; the password is the API key.' },
  { id: 'mailgun', label: 'Mailgun', host: 'smtp.mailgun.org', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: 'Use the domain\'s SMTP credentials; EU accounts use smtp.eu.mailgun.org.' },
  { id: 'postmark', label: 'Postmark', host: 'smtp.postmarkapp.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: 'Username and password are both the server API token.' },
  { id: 'zoho', label: 'Zoho Mail', host: 'smtp.zoho.com', port: 465, security: 'tls', authEnabled: true, authMechanism: 'plain', note: 'EU accounts use smtp.zoho.eu; an app password is needed with two-factor authentication.' },
  { id: 'fastmail', label: 'Fastmail', host: 'smtp.fastmail.com', port: 465, security: 'tls', authEnabled: true, authMechanism: 'plain', note: 'Create an app password under Settings → Privacy & Security.' },
  { id: 'icloud', label: 'iCloud Mail', host: 'smtp.mail.me.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: 'Requires an app-specific password from appleid.apple.com.' },
  { id: 'yahoo', label: 'Yahoo Mail', host: 'smtp.mail.yahoo.com', port: 465, security: 'tls', authEnabled: true, authMechanism: 'plain', note: 'Generate an app password in the Yahoo account security settings.' },
  { id: 'brevo', label: 'Brevo (Sendinblue)', host: 'smtp-relay.brevo.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'login', note: 'Use the SMTP key, not the API key.' },
  { id: 'mailjet', label: 'Mailjet', host: 'in-v3.mailjet.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', note: 'Username is the API key, password the secret key.' },
  { id: 'sparkpost', label: 'SparkPost', host: 'smtp.sparkpostmail.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'login', note: 'The username is "SMTP_Injection"; the password is an API key with sending rights.' },
];

export function findPreset(id: string): ProviderPreset | undefined {
  return PROVIDER_PRESETS.find((p) => p.id === id);
}

/** The usual port for each security mode, filled in when the mode changes (seed 002). */
export const USUAL_PORT: Record<SecurityMode, number> = { none: 25, starttls: 587, tls: 465 };
