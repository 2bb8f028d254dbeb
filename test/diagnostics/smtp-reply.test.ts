// Reply framing, EHLO keywords, non-SMTP banners and the transcript's own safety rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assembleReply, formatReply, identifyNonSmtpBanner, parseEhloReply, parseReplyLine, type ReplyLine } from '../../src/core/diagnostics/smtp-reply.ts';
import { CREDENTIALS_PLACEHOLDER, MAX_TRANSCRIPT_LINES, redactSecrets, secretForms, Transcript } from '../../src/core/diagnostics/transcript.ts';

const lines = (...raw: string[]): ReplyLine[] => raw.map((line) => {
  const parsed = parseReplyLine(line);
  assert.ok(parsed, line);
  return parsed;
});

describe('SMTP replies', () => {
  it('parses a multi-line reply with enhanced status codes on every line', () => {
    const reply = assembleReply(lines('550-5.7.1 Rejected for policy reasons.', '550 5.7.1 See https://example.com/policy'));
    assert.deepEqual(reply, { code: 550, enhanced: '5.7.1', text: 'Rejected for policy reasons.\nSee https://example.com/policy' });
    assert.equal(formatReply(reply), '550 5.7.1 Rejected for policy reasons. See https://example.com/policy');
  });

  it('tells continuation from last lines, and refuses what is not a reply', () => {
    assert.deepEqual(parseReplyLine('250-PIPELINING'), { code: 250, last: false, text: 'PIPELINING' });
    assert.deepEqual(parseReplyLine('250'), { code: 250, last: true, text: '' });
    for (const line of ['* OK IMAP4rev1', '+OK POP3 ready', 'HTTP/1.1 400 Bad Request', '2500 x', '', '150 FTP data']) assert.equal(parseReplyLine(line), null, line);
  });

  it('replaces control characters in server text', () => {
    const reply = assembleReply(lines('535 \u001b[31mred\u0007 alert'));
    assert.equal(reply.text, '?[31mred? alert');
  });

  it('reads EHLO keywords, both AUTH spellings and SIZE', () => {
    const caps = parseEhloReply(assembleReply(lines('250-mail.example.com', '250-SIZE 35882577', '250-AUTH LOGIN PLAIN XOAUTH2', '250-AUTH=LOGIN CRAM-MD5', '250-STARTTLS', '250 SMTPUTF8')));
    assert.deepEqual(caps.authMechanisms, ['LOGIN', 'PLAIN', 'XOAUTH2', 'CRAM-MD5']);
    assert.equal(caps.startTls, true);
    assert.equal(caps.maxSize, 35882577);
    assert.deepEqual(caps.extensions, ['SIZE 35882577', 'AUTH LOGIN PLAIN XOAUTH2', 'AUTH=LOGIN CRAM-MD5', 'STARTTLS', 'SMTPUTF8']);
    assert.equal(parseEhloReply(assembleReply(lines('250-x', '250 SIZE 0'))).maxSize, null);
  });

  it('names the protocol behind a non-SMTP banner', () => {
    assert.equal(identifyNonSmtpBanner('* OK [CAPABILITY IMAP4rev1] Dovecot ready.'), 'IMAP');
    assert.equal(identifyNonSmtpBanner('+OK Dovecot ready.'), 'POP3');
    assert.equal(identifyNonSmtpBanner('HTTP/1.1 400 Bad Request'), 'HTTP');
    assert.equal(identifyNonSmtpBanner('SSH-2.0-OpenSSH_9.2'), 'SSH');
    assert.equal(identifyNonSmtpBanner('220 ProFTPD Server (Debian) [::ffff:10.0.0.1]'), 'FTP');
    assert.equal(identifyNonSmtpBanner('220 mail.example.com ESMTP Postfix'), null);
    assert.equal(identifyNonSmtpBanner('\u0000\u0001binary'), 'an unknown protocol');
  });
});

describe('transcript', () => {
  it('uses swaks notation and marks lines inside TLS', () => {
    const t = new Transcript();
    t.note('Trying 192.0.2.1:587…');
    t.server('220 ready');
    t.client('STARTTLS');
    t.markEncrypted();
    t.client('EHLO client.example');
    t.server('250 ok');
    t.clientCredentials('AUTH PLAIN');
    t.clientCredentials();
    assert.deepEqual(t.lines(), ['=== Trying 192.0.2.1:587…', '<-  220 ready', ' -> STARTTLS', ' ~> EHLO client.example', '<~  250 ok', ` ~> AUTH PLAIN ${CREDENTIALS_PLACEHOLDER}`, ` ~> ${CREDENTIALS_PLACEHOLDER}`]);
  });

  it('keeps control characters out and stays bounded', () => {
    const t = new Transcript();
    t.server('250 \u001b]0;owned\u0007');
    for (let i = 0; i < MAX_TRANSCRIPT_LINES + 10; i++) t.server(`250-line ${i} ${'x'.repeat(1000)}`);
    const out = t.lines();
    assert.equal(out[0], '<-  250 ?]0;owned?');
    assert.equal(out.length, MAX_TRANSCRIPT_LINES + 1);
    assert.match(out.at(-1) ?? '', /11 more lines not kept/);
    assert.ok(out.every((line) => line.length <= 601));
  });

  it('scrubs a secret in every form it travels in', () => {
    const forms = secretForms('s3cret-pass', ['AHVzZXIAczNjcmV0LXBhc3M=']);
    const echoed = `500 unknown command AHVzZXIAczNjcmV0LXBhc3M= and czNjcmV0LXBhc3M= and s3cret-pass`;
    const scrubbed = redactSecrets(echoed, forms);
    assert.equal(scrubbed, `500 unknown command ${CREDENTIALS_PLACEHOLDER} and ${CREDENTIALS_PLACEHOLDER} and ${CREDENTIALS_PLACEHOLDER}`);
    assert.deepEqual(secretForms('ab'), [], 'too short to scrub without mangling every line');
  });
});
