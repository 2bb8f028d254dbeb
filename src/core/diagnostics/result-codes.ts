// The probe's result codes: one stable code per cause, each with a one-line message in plain words
// and a fix a non-expert can act on. The UI, the API, the CLI and the delivery failure history all
// show these texts, so they are written once, here. `{port}`, `{mechanism}`, `{offered}`,
// `{certNames}`, `{protocol}` and `{reply}` are filled in by describeProbeCode.

export const PROBE_CODES = {
  OK: {
    message: 'Every step passed: the server accepts these settings.',
    fix: null,
  },
  DNS_NOT_FOUND: {
    message: 'The host name does not exist in DNS.',
    fix: 'Check the spelling of the host (for example smtp.example.com); your provider\'s help page lists it.',
  },
  HOST_BLOCKED: {
    message: 'This host is not allowed: it points to a private or internal address.',
    fix: 'Use the server\'s public host name. If the server really is on an internal network, the instance operator can allow that network (MAILROOM_ALLOWED_SMTP_NETWORKS).',
  },
  CONNECTION_REFUSED: {
    message: 'Nothing listens on port {port} of this host.',
    fix: 'Check host, port and firewall; the usual ports are 587 (STARTTLS), 465 (SSL/TLS) and 25.',
  },
  CONNECTION_TIMEOUT: {
    message: 'The host did not answer on port {port}.',
    fix: 'A firewall may block the port, or the host is wrong: check host and port, and that this machine may connect out to that port (many cloud providers block port 25).',
  },
  GREETING_TIMEOUT: {
    message: 'Connected, but the server never sent its SMTP greeting.',
    fix: 'Check that port {port} is the server\'s SMTP port; if it expects SSL/TLS from the first byte, switch Security to SSL/TLS.',
  },
  NOT_SMTP: {
    message: 'Port {port} answers with {protocol}, not with a mail (SMTP) server.',
    fix: 'Use the server\'s SMTP port (usually 587 or 465); IMAP and POP3 ports are for reading mail, not for sending it.',
  },
  TLS_REQUIRED_ON_PORT: {
    message: 'Port {port} expects SSL/TLS from the first byte.',
    fix: 'Switch Security to SSL/TLS, or use STARTTLS on port 587.',
  },
  TLS_NOT_SUPPORTED_ON_PORT: {
    message: 'Port {port} speaks plain SMTP, not SSL/TLS from the first byte.',
    fix: 'Switch Security to STARTTLS (usual on 587 and 25), or use port 465 for SSL/TLS.',
  },
  STARTTLS_NOT_OFFERED: {
    message: 'The server does not offer STARTTLS on port {port}.',
    fix: 'Use SSL/TLS on port 465 if the server has it; choose no encryption only on a network you trust.',
  },
  CERT_UNTRUSTED: {
    message: 'The server\'s certificate is not trusted: it is self-signed or issued by an unknown authority.',
    fix: 'Ask the server\'s administrator for a certificate from a public authority; for an internal server you trust, turn on "Allow invalid certificate".',
  },
  CERT_HOSTNAME_MISMATCH: {
    message: 'The server\'s certificate is for another name ({certNames}).',
    fix: 'Use the host name the certificate names, as your provider documents it.',
  },
  CERT_EXPIRED: {
    message: 'The server\'s certificate has expired or is not valid yet.',
    fix: 'The server\'s administrator must renew the certificate; also check this machine\'s clock.',
  },
  SERVER_REJECTED: {
    message: 'The server refused the connection.',
    fix: 'The server may block this machine\'s address or be overloaded: read its reply, and ask its administrator to allow this address.',
  },
  ENCRYPTION_REQUIRED: {
    message: 'The server requires an encrypted connection before login or sending.',
    fix: 'Switch Security to STARTTLS (or SSL/TLS on port 465).',
  },
  AUTH_NOT_OFFERED: {
    message: 'Authentication is on, but the server offers no login on port {port}.',
    fix: 'Use the submission port (587 with STARTTLS or 465 with SSL/TLS), or turn authentication off if this server accepts mail from this machine without login.',
  },
  AUTH_METHOD_UNSUPPORTED: {
    message: 'The server does not support the {mechanism} login method.',
    fix: 'Choose a method the server offers: {offered}.',
  },
  AUTH_REQUIRED: {
    message: 'The server requires a login before it accepts mail.',
    fix: 'Turn on authentication and enter the user name and password.',
  },
  AUTH_FAILED: {
    message: 'The server refused the user name or password.',
    fix: 'Check the user name (often the full email address) and type the password again.',
  },
  APP_PASSWORD_REQUIRED: {
    message: 'The provider requires an app password for this account, not the normal password.',
    fix: 'Create an app password in the account\'s security settings and use it as the password, or sign in with OAuth2.',
  },
  BASIC_AUTH_DISABLED: {
    message: 'The provider has turned off password login (basic authentication) for SMTP.',
    fix: 'Use OAuth2 (XOAUTH2) sign-in; for Microsoft 365 an administrator can also enable SMTP AUTH for this mailbox.',
  },
  SENDER_REJECTED: {
    message: 'The server does not allow sending as this sender address.',
    fix: 'Use the address of the account you log in with, or a sender the server allows; if this server may send for other domains, ask its administrator and turn on "has relay".',
  },
  RECIPIENT_REJECTED: {
    message: 'The server refused the recipient address.',
    fix: 'Check the recipient address; if the server says relaying is denied, turn on authentication or ask its administrator to let this machine relay.',
  },
  MESSAGE_REJECTED: {
    message: 'The server refused the test message (size, content or policy).',
    fix: 'Read the server\'s reply; check the sender domain\'s SPF and DKIM records and the server\'s size limit.',
  },
  TEMPORARY_FAILURE: {
    message: 'The server answered with a temporary error: {reply}',
    fix: 'Try again in a few minutes; if it persists, the server\'s reply says why.',
  },
  PROTOCOL_ERROR: {
    message: 'The conversation with the server failed unexpectedly.',
    fix: 'Look at the transcript for the last reply; if it persists, send the support bundle to the server\'s administrator.',
  },
} as const satisfies Record<string, { message: string; fix: string | null }>;

export type ProbeCode = keyof typeof PROBE_CODES;

export const PROBE_CODE_NAMES = Object.keys(PROBE_CODES) as ProbeCode[];

/** Values substituted into a code's message and fix. Missing ones get a neutral wording. */
export interface ProbeCodeVars {
  port?: number;
  mechanism?: string;
  offered?: string[];
  certNames?: string;
  protocol?: string;
  reply?: string;
}

export function isProbeCode(value: string): value is ProbeCode {
  return Object.hasOwn(PROBE_CODES, value);
}

export function describeProbeCode(code: ProbeCode, vars: ProbeCodeVars = {}): { message: string; hint: string | null } {
  const entry = PROBE_CODES[code];
  const fill = (template: string): string => template.replace(/\{(\w+)\}/g, (_, name: string) => {
    switch (name) {
      case 'port': return vars.port === undefined ? 'this' : String(vars.port);
      case 'mechanism': return vars.mechanism ? vars.mechanism.toUpperCase() : 'chosen';
      case 'offered': return vars.offered && vars.offered.length > 0 ? vars.offered.join(', ') : 'none that Mailroom supports';
      case 'certNames': return vars.certNames || 'names not listed';
      case 'protocol': return vars.protocol || 'another protocol';
      case 'reply': return vars.reply || 'no details given';
      default: return name;
    }
  });
  // "Port this speaks…" reads badly; drop the word when no port is known.
  const tidy = (text: string): string => text.replace(/^Port this /, 'This port ').replace(/ on port this\b/, ' on this port');
  return { message: tidy(fill(entry.message)), hint: entry.fix === null ? null : tidy(fill(entry.fix)) };
}
