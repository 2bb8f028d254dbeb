// classifyReply, one row per reply as real servers send it: the stage, the reply, the code the
// probe (and delivery) must name. Replies are quoted from Postfix, Exim, Google and Microsoft 365.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyReply, type ReplyContext, type ReplyStage } from '../../src/core/diagnostics/classify-reply.ts';
import { describeProbeCode, PROBE_CODE_NAMES, PROBE_CODES, type ProbeCode } from '../../src/core/diagnostics/result-codes.ts';
import { assembleReply, parseReplyLine, type SmtpReply } from '../../src/core/diagnostics/smtp-reply.ts';

function reply(line: string): SmtpReply {
  const parsed = parseReplyLine(line);
  assert.ok(parsed, line);
  return assembleReply([parsed]);
}

const rows: [ReplyStage, string, ProbeCode, ReplyContext?][] = [
  ['greeting', '220 mail.example.com ESMTP Postfix', 'OK'],
  ['greeting', '554 5.7.1 Your IP is on a blocklist', 'SERVER_REJECTED'],
  ['greeting', '421 4.3.2 Service not available, too many connections', 'SERVER_REJECTED'],
  ['ehlo', '550 5.7.1 Helo command rejected: need fully-qualified hostname', 'SERVER_REJECTED'],
  ['ehlo', '421 4.4.2 Closing connection', 'SERVER_REJECTED'],
  ['ehlo', '451 4.3.0 Temporary local problem', 'TEMPORARY_FAILURE'],
  ['tls', '454 4.7.0 TLS not available due to local problem', 'TEMPORARY_FAILURE'],
  ['tls', '502 5.5.1 Command not implemented', 'STARTTLS_NOT_OFFERED'],
  ['auth', '235 2.7.0 Authentication successful', 'OK'],
  ['auth', '535 5.7.8 Error: authentication failed: authentication failure', 'AUTH_FAILED'],
  ['auth', '535 5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials', 'AUTH_FAILED', { host: 'smtp.gmail.com' }],
  ['auth', '534 5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor', 'APP_PASSWORD_REQUIRED'],
  ['auth', '534 5.7.14 <https://accounts.google.com/signin/continue?...> Please log in via your web browser and then try again.', 'APP_PASSWORD_REQUIRED'],
  ['auth', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.', 'BASIC_AUTH_DISABLED'],
  ['auth', '535 5.7.3 Authentication unsuccessful', 'AUTH_FAILED', { host: 'smtp.office365.com' }],
  ['auth', '534 5.7.9 Authentication mechanism is too weak', 'AUTH_METHOD_UNSUPPORTED'],
  ['auth', '538 5.7.11 Encryption required for requested authentication mechanism', 'ENCRYPTION_REQUIRED'],
  ['auth', '530 5.7.0 Must issue a STARTTLS command first', 'ENCRYPTION_REQUIRED'],
  ['auth', '504 5.5.4 Unrecognized authentication type', 'AUTH_METHOD_UNSUPPORTED'],
  ['auth', '502 5.5.1 Command not implemented', 'AUTH_NOT_OFFERED'],
  ['auth', '454 4.7.0 Temporary authentication failure', 'TEMPORARY_FAILURE'],
  ['mail', '250 2.1.0 Ok', 'OK'],
  ['mail', '530 5.7.0 Authentication required', 'AUTH_REQUIRED'],
  ['mail', '530 5.7.57 Client not authenticated to send mail.', 'AUTH_REQUIRED'],
  ['mail', '530 5.7.0 Must issue a STARTTLS command first', 'ENCRYPTION_REQUIRED'],
  ['mail', '553 5.7.1 <ceo@example.com>: Sender address rejected: not owned by user bob', 'SENDER_REJECTED'],
  ['mail', '550 5.7.60 SMTP; Client does not have permissions to send as this sender', 'SENDER_REJECTED'],
  ['mail', '451 4.7.1 Greylisted, please try again later', 'TEMPORARY_FAILURE'],
  ['rcpt', '250 2.1.5 Ok', 'OK'],
  ['rcpt', '550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table', 'RECIPIENT_REJECTED'],
  ['rcpt', '554 5.7.1 <x@elsewhere.example>: Relay access denied', 'RECIPIENT_REJECTED'],
  ['rcpt', '553 5.7.1 <ceo@example.com>: Sender address rejected: not owned by user bob', 'SENDER_REJECTED'],
  ['rcpt', '554 5.7.1 Client host rejected: Access denied', 'SERVER_REJECTED'],
  ['rcpt', '452 4.2.2 Mailbox full', 'TEMPORARY_FAILURE'],
  ['rcpt', '421 4.7.0 Too many errors, closing', 'TEMPORARY_FAILURE'],
  ['data', '354 End data with <CR><LF>.<CR><LF>', 'OK'],
  ['data', '250 2.0.0 Ok: queued as 4ABCD', 'OK'],
  ['data', '552 5.3.4 Message size exceeds fixed limit', 'MESSAGE_REJECTED'],
  ['data', '554 5.7.1 Message rejected as spam', 'MESSAGE_REJECTED'],
  ['data', '550 5.7.60 SMTP; Client does not have permissions to send as this sender', 'SENDER_REJECTED'],
  ['data', '451 4.3.0 Queue file write error', 'TEMPORARY_FAILURE'],
];

describe('classifyReply', () => {
  for (const [stage, line, code, context] of rows) {
    it(`${stage} "${line.slice(0, 60)}" → ${code}`, () => {
      const result = classifyReply(stage, reply(line), context);
      assert.equal(result.code, code);
      assert.equal(result.temporary, line.startsWith('4'));
      assert.ok(result.message.length > 0);
    });
  }

  it('tailors the fix for Google and Microsoft hosts', () => {
    const google = classifyReply('auth', reply('534 5.7.9 Application-specific password required.'), { host: 'smtp.gmail.com' });
    assert.match(google.message, /^Google requires an app password/);
    assert.match(google.hint ?? '', /myaccount\.google\.com\/apppasswords/);
    const microsoft = classifyReply('auth', reply('535 5.7.3 Authentication unsuccessful'), { host: 'smtp.office365.com' });
    assert.match(microsoft.hint ?? '', /OAuth2/);
  });

  it('suggests authentication when relaying is denied to an anonymous client', () => {
    const anonymous = classifyReply('rcpt', reply('554 5.7.1 <x@elsewhere.example>: Relay access denied'), { authConfigured: false });
    assert.match(anonymous.hint ?? '', /turn on authentication/);
  });

  it('puts the server text into TEMPORARY_FAILURE', () => {
    const result = classifyReply('rcpt', reply('450 4.2.0 <a@example.com>: Recipient address rejected: Greylisted'), {});
    assert.match(result.message, /450 4\.2\.0 <a@example.com>: Recipient address rejected: Greylisted/);
  });
});

describe('result code table', () => {
  it('has a one-line message for every code and a fix for every failure', () => {
    for (const code of PROBE_CODE_NAMES) {
      const { message, hint } = describeProbeCode(code, { port: 465, mechanism: 'login', offered: ['PLAIN'], certNames: 'a.example', protocol: 'IMAP', reply: '451 x' });
      assert.ok(message.length > 0 && !message.includes('\n') && !message.includes('{'), code);
      if (code === 'OK') assert.equal(hint, null);
      else assert.ok(hint && !hint.includes('{'), code);
    }
  });

  it('words the issue\'s examples', () => {
    assert.equal(describeProbeCode('TLS_REQUIRED_ON_PORT', { port: 465 }).message, 'Port 465 expects SSL/TLS from the first byte.');
    assert.match(describeProbeCode('TLS_REQUIRED_ON_PORT', { port: 465 }).hint ?? '', /switch Security to SSL\/TLS/i);
    assert.match(describeProbeCode('CONNECTION_REFUSED', { port: 2525 }).hint ?? '', /check host, port and firewall/i);
    assert.equal(Object.keys(PROBE_CODES).length, 26);
  });
});
