// The one address parser and the header-safety rule, against the hostile inputs that broke other
// mail libraries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEmailAddress } from '../../src/core/validation/email-address.ts';
import { headerNameProblem, headerUnsafeReason } from '../../src/core/validation/header-safety.ts';
import { hostNameProblem } from '../../src/core/validation/host-name.ts';

describe('email address parser', () => {
  const accepted: [string, string][] = [
    ['user@example.com', 'user@example.com'],
    ['First.Last+tag@Sub.Example.COM', 'First.Last+tag@sub.example.com'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['josé@exemple.fr', 'josé@exemple.fr'],
    ['user@bücher.example', 'user@bücher.example'],
    ['  padded@example.com  ', 'padded@example.com'],
  ];
  for (const [input, normalised] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      const r = parseEmailAddress(input);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.equal(r.value.address, normalised);
    });
  }

  const hostile = [
    '"a@x y"@z.example', // nodemailer GHSA-mm7p-fcc7-pg87: routed to x
    'a@x.example@y.example',
    'a@b.example,c@d.example',
    'Name <a@b.example>',
    'a@b.example (comment)',
    'a@[127.0.0.1]',
    'a@localhost',
    '.a@b.example',
    'a..b@c.example',
    'a.@b.example',
    'a@-b.example',
    'a@b.example\r\nBcc: victim@c.example',
    'a@b.example\nX: y',
    'a\u0000@b.example',
    '=?utf-8?q?a=0D=0A?=@b.example',
    'a@b.example;c@d.example',
    'a b@c.example',
    'a\\@b@c.example',
    `${'x'.repeat(65)}@b.example`,
    `a@${'b'.repeat(250)}.example`,
    '',
    '@b.example',
    'a@',
    'a@b.123',
  ];
  for (const input of hostile) {
    it(`refuses ${JSON.stringify(input).slice(0, 60)}`, () => {
      const r = parseEmailAddress(input);
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.reason.length > 5, 'says why');
    });
  }
});

describe('header safety', () => {
  it('accepts ordinary values and harmless encoded words', () => {
    assert.equal(headerUnsafeReason('Acme Support'), null);
    assert.equal(headerUnsafeReason('=?UTF-8?Q?Caf=C3=A9?='), null);
  });
  for (const value of ['a\rb', 'a\nb', 'a\u0000b', '=?UTF-8?B?SGkNCkJjYzogeEB5LmNvbQ==?=', '=?utf-8?Q?x=0Ay?=', '=?utf-8?q?x=00y?=']) {
    it(`refuses ${JSON.stringify(value)}`, () => assert.ok(headerUnsafeReason(value)));
  }
  it('refuses header names Mailroom owns and malformed ones', () => {
    assert.equal(headerNameProblem('X-Campaign'), null);
    for (const name of ['From', 'bcc', 'Message-ID', 'DKIM-Signature', 'X Bad', 'X:Bad', '']) assert.ok(headerNameProblem(name), name);
  });
});

describe('host names', () => {
  for (const host of ['smtp.example.com', 'SMTP.Example.COM.', '192.0.2.10', '2001:db8::25', '[2001:db8::25]', 'mail', 'smtp.bücher.example']) {
    it(`accepts ${host}`, () => assert.equal(hostNameProblem(host), null));
  }
  const refused: [string, RegExp][] = [
    ['smtp://smtp.example.com', /URL/],
    ['admin@example.com', /email address/],
    ['smtp.example.com:587', /Port field/],
    ['smtp example.com', /spaces/],
    ['-bad.example.com', /host name/],
    ['0x7f.1', /host name|IP/],
    ['', /empty/],
  ];
  for (const [host, reason] of refused) {
    it(`refuses ${JSON.stringify(host)}`, () => assert.match(hostNameProblem(host) ?? '', reason));
  }
});
