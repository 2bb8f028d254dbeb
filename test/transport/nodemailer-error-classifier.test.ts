// The classification table, row by row, with the error shapes nodemailer 8 produces (read in
// lib/smtp-connection/index.js and checked against real servers in smtp-delivery-transport.test.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyNodemailerError,
  isThrottlingReply,
  MAX_REPLY_TEXT_CHARS,
  parseNodemailerReply,
  replyTextOf,
  type ClassifyContext,
} from '../../src/adapters/transport/nodemailer-error-classifier.ts';
import { secretForms } from '../../src/core/diagnostics/transcript.ts';

const context: ClassifyContext = { secretForms: [], port: 587, host: 'smtp.example.com', authConfigured: true, mechanism: 'PLAIN', socketTimeoutMs: 300_000 };

/** A nodemailer error as _formatError builds it. */
function nmError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code }, extra);
}

function replied(code: string, command: string, response: string): Error {
  return nmError(code, `failed: ${response}`, { command, response, responseCode: Number(response.slice(0, 3)) });
}

describe('classifyNodemailerError', () => {
  const rows: Array<[name: string, err: unknown, kind: string, code: string, extra?: Partial<ClassifyContext>]> = [
    // Replies at each stage
    ['535 at AUTH', replied('EAUTH', 'AUTH PLAIN', '535 5.7.8 Username and Password not accepted'), 'config', 'AUTH_FAILED'],
    ['534 5.7.9 at AUTH (Google)', replied('EAUTH', 'AUTH LOGIN', '534-5.7.9 Application-specific password required.\n534 5.7.9 Learn more at https://support.google.com'), 'config', 'APP_PASSWORD_REQUIRED'],
    ['535 5.7.139 at AUTH (Microsoft)', replied('EAUTH', 'AUTH LOGIN', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.'), 'config', 'BASIC_AUTH_DISABLED'],
    ['504 at AUTH', replied('EAUTH', 'AUTH CRAM-MD5', '504 5.5.4 Unrecognized authentication type'), 'config', 'AUTH_METHOD_UNSUPPORTED'],
    ['503 "authentication not enabled" at AUTH (Postfix without SASL)', replied('EAUTH', 'AUTH PLAIN', '503 5.5.1 Error: authentication not enabled'), 'config', 'AUTH_NOT_OFFERED'],
    ['538 at AUTH', replied('EAUTH', 'AUTH PLAIN', '538 5.7.11 Encryption required for requested authentication mechanism'), 'config', 'ENCRYPTION_REQUIRED'],
    ['454 at AUTH', replied('EAUTH', 'AUTH PLAIN', '454 4.7.0 Temporary authentication failure'), 'throttled', 'TEMPORARY_FAILURE'],
    ['5xx to STARTTLS', replied('ETLS', 'STARTTLS', '502 5.5.1 Error: command not implemented'), 'config', 'STARTTLS_NOT_OFFERED'],
    ['454 to STARTTLS', replied('ETLS', 'STARTTLS', '454 4.7.0 TLS not available due to local problem'), 'throttled', 'TEMPORARY_FAILURE'],
    ['554 greeting', replied('EPROTOCOL', 'CONN', '554 5.7.1 No SMTP service here'), 'config', 'SERVER_REJECTED'],
    ['421 at EHLO', replied('ECONNECTION', 'EHLO', '421 4.3.2 Service not available, closing channel'), 'throttled', 'SERVER_REJECTED'],
    ['550 at MAIL FROM', replied('EENVELOPE', 'MAIL FROM', '550 5.7.60 SMTP; Client does not have permissions to send as this sender'), 'permanent', 'SENDER_REJECTED'],
    ['530 STARTTLS first at MAIL FROM', replied('EENVELOPE', 'MAIL FROM', '530 5.7.0 Must issue a STARTTLS command first'), 'config', 'ENCRYPTION_REQUIRED'],
    ['530 5.7.57 at MAIL FROM (Microsoft)', replied('EENVELOPE', 'MAIL FROM', '530 5.7.57 Client not authenticated to send mail'), 'config', 'AUTH_REQUIRED'],
    ['554 blocklisted at MAIL FROM', replied('EENVELOPE', 'MAIL FROM', '554 5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org'), 'config', 'SERVER_REJECTED'],
    ['451 at MAIL FROM', replied('EENVELOPE', 'MAIL FROM', '451 4.3.0 Temporary local problem'), 'temporary', 'TEMPORARY_FAILURE'],
    ['550 at RCPT', replied('EENVELOPE', 'RCPT TO', '550 5.1.1 User unknown'), 'permanent', 'RECIPIENT_REJECTED'],
    ['554 relay denied at RCPT', replied('EENVELOPE', 'RCPT TO', '554 5.7.1 <x@other.example>: Relay access denied'), 'config', 'RECIPIENT_REJECTED'],
    ['452 4.5.3 too many recipients', replied('EENVELOPE', 'RCPT TO', '452 4.5.3 Too many recipients'), 'throttled', 'TEMPORARY_FAILURE'],
    ['451 4.7.1 greylisted', replied('EENVELOPE', 'RCPT TO', '451 4.7.1 Greylisted, please try again later'), 'throttled', 'TEMPORARY_FAILURE'],
    ['554 to DATA', replied('EENVELOPE', 'DATA', '554 5.5.1 Error: no valid recipients'), 'permanent', 'MESSAGE_REJECTED'],
    ['550 after the message', replied('EMESSAGE', 'DATA', '550 5.7.1 Message rejected as spam'), 'permanent', 'MESSAGE_REJECTED'],
    ['452 4.3.2 after the message', replied('EMESSAGE', 'DATA', '452 4.3.2 System not accepting network messages'), 'throttled', 'TEMPORARY_FAILURE'],
    ['451 4.7.500 rate limit after the message', replied('EMESSAGE', 'DATA', '451 4.7.500 Server busy. Please try again later'), 'throttled', 'TEMPORARY_FAILURE'],
    ['450 4.2.1 mailbox busy after the message', replied('EMESSAGE', 'DATA', '450 4.2.1 Mailbox busy'), 'temporary', 'TEMPORARY_FAILURE'],
    // Errors without a reply: certificates (nodemailer replaces the code with ESOCKET)
    ['self-signed certificate', nmError('ESOCKET', 'self-signed certificate; if the root CA is installed locally, try running Node.js with --use-system-ca', { command: 'CONN' }), 'config', 'CERT_UNTRUSTED'],
    ['unknown issuer', nmError('ESOCKET', 'unable to verify the first certificate', { command: 'CONN' }), 'config', 'CERT_UNTRUSTED'],
    ['expired certificate', nmError('ESOCKET', 'certificate has expired', { command: 'CONN' }), 'config', 'CERT_EXPIRED'],
    ['name mismatch', nmError('ESOCKET', 'Hostname/IP does not match certificate\'s altnames: Host: smtp.example.com. is not in the cert\'s altnames: DNS:mail.other.test', { command: 'CONN', cert: { subjectaltname: 'DNS:mail.other.test' } }), 'config', 'CERT_HOSTNAME_MISMATCH'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT kept', nmError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self signed certificate'), 'config', 'CERT_UNTRUSTED'],
    ['CERT_HAS_EXPIRED kept', nmError('CERT_HAS_EXPIRED', 'certificate has expired'), 'config', 'CERT_EXPIRED'],
    ['ERR_TLS_CERT_ALTNAME_INVALID kept', nmError('ERR_TLS_CERT_ALTNAME_INVALID', 'Hostname/IP does not match'), 'config', 'CERT_HOSTNAME_MISMATCH'],
    ['SSL/TLS on a plain port', nmError('ESOCKET', '4001:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number', { reason: 'wrong version number', library: 'SSL routines' }), 'config', 'TLS_NOT_SUPPORTED_ON_PORT'],
    ['outdated TLS only', nmError('ESOCKET', 'error:0A000102:SSL routines::unsupported protocol', { reason: 'unsupported protocol' }), 'config', 'PROTOCOL_ERROR'],
    // Login problems found by nodemailer itself
    ['missing credentials', nmError('EAUTH', 'Missing credentials for "PLAIN"', { command: 'API' }), 'config', 'AUTH_FAILED'],
    ['OAuth2 token not usable', nmError('EOAUTH2', 'Can\'t create new access token for user'), 'config', 'AUTH_FAILED'],
    // The network
    ['connection refused (socket code replaced)', nmError('ESOCKET', 'connect ECONNREFUSED 192.0.2.7:587', { command: 'CONN', syscall: 'connect' }), 'temporary', 'CONNECTION_REFUSED'],
    ['connection refused (our socket)', nmError('ECONNREFUSED', 'connect ECONNREFUSED 192.0.2.7:587', { syscall: 'connect' }), 'temporary', 'CONNECTION_REFUSED'],
    ['host unreachable', nmError('EHOSTUNREACH', 'connect EHOSTUNREACH 192.0.2.7:587'), 'temporary', 'CONNECTION_TIMEOUT'],
    ['connect timeout', nmError('ETIMEDOUT', 'Connection timeout', { command: 'CONN' }), 'temporary', 'CONNECTION_TIMEOUT'],
    ['no greeting', nmError('ETIMEDOUT', 'Greeting never received', { command: 'CONN' }), 'temporary', 'GREETING_TIMEOUT'],
    ['socket timeout', nmError('ETIMEDOUT', 'Timeout', { command: 'CONN' }), 'temporary', 'TEMPORARY_FAILURE'],
    ['reset', nmError('ESOCKET', 'read ECONNRESET', { command: 'CONN', syscall: 'read' }), 'temporary', 'TEMPORARY_FAILURE'],
    ['closed', nmError('ECONNECTION', 'Connection closed unexpectedly', { command: 'CONN' }), 'temporary', 'TEMPORARY_FAILURE'],
    ['pool closed', new Error('Connection pool was closed'), 'temporary', 'TEMPORARY_FAILURE'],
    ['requeue refused', new Error('Reached maximum number of retries after connection was closed'), 'temporary', 'TEMPORARY_FAILURE'],
    ['DNS inside nodemailer', nmError('EDNS', 'getaddrinfo EAI_AGAIN smtp.example.com'), 'temporary', 'TEMPORARY_FAILURE'],
    // nodemailer refusing the envelope or message
    ['invalid recipient', nmError('EENVELOPE', 'Invalid recipient "a\\r\\nb"', { command: 'API' }), 'permanent', 'MESSAGE_REJECTED'],
    ['larger than SIZE', nmError('EMESSAGE', 'Message size larger than allowed 1000', { command: 'MAIL FROM' }), 'permanent', 'MESSAGE_REJECTED'],
    ['anything else', new TypeError('boom'), 'temporary', 'PROTOCOL_ERROR'],
  ];
  for (const [name, err, kind, code, extra] of rows) {
    it(`${name} → ${kind} ${code}`, () => {
      const result = classifyNodemailerError(err, { ...context, ...extra });
      assert.deepEqual([result.kind, result.code], [kind, code], result.message);
      assert.ok(result.message.length > 0);
    });
  }

  it('says "the message", not the probe\'s "test message"', () => {
    const result = classifyNodemailerError(replied('EMESSAGE', 'DATA', '550 5.7.1 Message rejected as spam'), context);
    assert.doesNotMatch(result.message, /test message/);
  });

  it('names the certificate\'s names on a mismatch', () => {
    const result = classifyNodemailerError(nmError('ESOCKET', 'Hostname/IP does not match certificate\'s altnames', { cert: { subjectaltname: 'DNS:mail.other.test, DNS:other.test' } }), context);
    assert.match(result.message, /mail\.other\.test, other\.test/);
  });

  it('possibly delivered only when the connection was lost after the whole message was handed over', () => {
    const lostAfter = { ...context, handedOver: true };
    assert.equal(classifyNodemailerError(nmError('ESOCKET', 'read ECONNRESET'), lostAfter).possiblyDelivered, true);
    assert.equal(classifyNodemailerError(nmError('ECONNECTION', 'Connection closed unexpectedly'), lostAfter).possiblyDelivered, true);
    assert.equal(classifyNodemailerError(nmError('ETIMEDOUT', 'Timeout'), lostAfter).possiblyDelivered, true);
    assert.equal(classifyNodemailerError(new Error('Reached maximum number of retries after connection was closed'), lostAfter).possiblyDelivered, true);
    // A reply decides; a refused pool never sent anything; before the hand-over nothing can have arrived.
    assert.equal(classifyNodemailerError(replied('EMESSAGE', 'DATA', '451 4.3.0 Error'), lostAfter).possiblyDelivered, false);
    assert.equal(classifyNodemailerError(new Error('Connection pool was closed'), lostAfter).possiblyDelivered, false);
    assert.equal(classifyNodemailerError(nmError('ESOCKET', 'read ECONNRESET'), { ...context, handedOver: false }).possiblyDelivered, false);
    // A reply read as the socket closed after the hand-over answered the final ".".
    const fragment = classifyNodemailerError(replied('ECONNECTION', 'CONN', '554 5.7.1 rejected'), lostAfter);
    assert.deepEqual([fragment.kind, fragment.code, fragment.stage], ['permanent', 'MESSAGE_REJECTED', 'data']);
  });

  it('marks the failures that retire the pool (its address or TLS set-up failed)', () => {
    assert.equal(classifyNodemailerError(nmError('ESOCKET', 'connect ECONNREFUSED 192.0.2.7:587'), context).connectionFailed, true);
    assert.equal(classifyNodemailerError(nmError('ESOCKET', 'certificate has expired'), context).connectionFailed, true);
    assert.equal(classifyNodemailerError(nmError('ESOCKET', 'read ECONNRESET'), context).connectionFailed, false);
    assert.equal(classifyNodemailerError(replied('EAUTH', 'AUTH PLAIN', '535 5.7.8 no'), context).connectionFailed, false);
  });
});

describe('isThrottlingReply', () => {
  const rows: Array<[string, boolean]> = [
    ['421 4.7.0 Try again later, closing connection', true],
    ['454 4.7.0 TLS not available', true],
    ['451 4.3.2 System not accepting network messages', true],
    ['450 4.7.1 Client host rejected: rate limit exceeded', true],
    ['452 4.5.3 Too many recipients', true],
    ['451 4.4.5 Throttled', true],
    ['451 4.3.0 Local error in processing', false],
    ['450 4.7.1 Recipient address rejected: Access denied', false],
    ['550 5.7.1 Too many messages (permanent)', false],
  ];
  for (const [line, expected] of rows) {
    it(`${line} → ${expected ? 'slow down' : 'just retry'}`, () => {
      const reply = parseNodemailerReply(line, []);
      assert.ok(reply);
      assert.equal(isThrottlingReply(reply), expected);
    });
  }
});

describe('replyTextOf', () => {
  it('makes one line without control characters', () => {
    const reply = parseNodemailerReply('550-5.7.1 First line\n550-5.7.1 Second\tline \x1b[31mred\n550 5.7.1 Third', []);
    assert.equal(replyTextOf(reply, []), 'First line Second line ?[31mred Third');
  });

  it('cuts to 500 characters', () => {
    const text = replyTextOf(parseNodemailerReply(`550 5.7.1 ${'x'.repeat(2000)}`, []), []);
    assert.equal(text?.length, MAX_REPLY_TEXT_CHARS);
    assert.ok(text?.endsWith('…'));
  });

  it('scrubs the secret before cutting, so no part of it survives the cut', () => {
    const password = 'correct-horse-battery-staple';
    const forms = secretForms(password);
    // The secret straddles the cut at 500 characters.
    const response = `535 5.7.8 ${'y'.repeat(480)}${password} and more`;
    const text = replyTextOf(parseNodemailerReply(response, forms), forms) ?? '';
    assert.ok(!text.includes('correct-horse'), text);
    const classified = classifyNodemailerError(replied('EAUTH', 'AUTH PLAIN', `535 5.7.8 ${Buffer.from(password).toString('base64')} ${password}`), { ...context, secretForms: forms });
    assert.ok(!JSON.stringify(classified).includes(password));
    assert.ok(!JSON.stringify(classified).includes(Buffer.from(password).toString('base64')));
  });

  it('is null for an empty or missing reply', () => {
    assert.equal(replyTextOf(null, []), null);
    assert.equal(parseNodemailerReply('', []), null);
    assert.equal(parseNodemailerReply('not a reply', []), null);
  });
});
