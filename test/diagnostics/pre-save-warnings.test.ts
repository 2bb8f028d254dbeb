// Warnings shown before saving, one row per combination the issue names.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { warningsFor, type ServerSettingsForWarnings } from '../../src/core/diagnostics/pre-save-warnings.ts';

const base: ServerSettingsForWarnings = { host: 'smtp.example.com', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain' };
const codes = (overrides: Partial<ServerSettingsForWarnings>): string[] => warningsFor({ ...base, ...overrides }).map((w) => w.code);

describe('warningsFor', () => {
  it('has nothing to say about the usual submission settings', () => {
    assert.deepEqual(codes({}), []);
    assert.deepEqual(codes({ port: 465, security: 'tls' }), []);
    assert.deepEqual(codes({ port: 25, security: 'none', authEnabled: false, authMechanism: null }), []);
  });

  const rows: [string, Partial<ServerSettingsForWarnings>, string, string][] = [
    ['SSL/TLS on 587', { security: 'tls' }, 'TLS_ON_STARTTLS_PORT', 'security'],
    ['SSL/TLS on 25', { port: 25, security: 'tls' }, 'TLS_ON_STARTTLS_PORT', 'security'],
    ['STARTTLS on 465', { port: 465, security: 'starttls' }, 'PORT_EXPECTS_TLS', 'security'],
    ['no encryption on 465', { port: 465, security: 'none', authEnabled: false }, 'PORT_EXPECTS_TLS', 'security'],
    ['PLAIN without encryption', { security: 'none' }, 'PASSWORD_IN_CLEAR', 'security'],
    ['LOGIN without encryption', { security: 'none', authMechanism: 'login' }, 'PASSWORD_IN_CLEAR', 'security'],
    ['Microsoft 365 with a password', { host: 'smtp.office365.com', authMechanism: 'login' }, 'BASIC_AUTH_RETIRING', 'authMechanism'],
    ['Outlook.com preset with a password', { host: 'smtp-mail.outlook.com', preset: 'outlook' }, 'BASIC_AUTH_RETIRING', 'authMechanism'],
    ['Gmail with a password', { host: 'smtp.gmail.com' }, 'GOOGLE_APP_PASSWORD', 'authMechanism'],
    ['an address as host', { host: 'admin@example.com' }, 'ADDRESS_AS_HOST', 'host'],
    ['a URL as host', { host: 'smtp://smtp.example.com' }, 'URL_AS_HOST', 'host'],
    ['a port in the host', { host: 'smtp.example.com:587' }, 'PORT_IN_HOST', 'host'],
    ['smtp.google.com', { host: 'smtp.google.com' }, 'KNOWN_WRONG_HOST', 'host'],
    ['an IMAP host', { host: 'imap.example.com' }, 'INCOMING_SERVER_HOST', 'host'],
    ['an IP address with TLS', { host: '192.0.2.25' }, 'IP_WITH_TLS', 'host'],
  ];
  for (const [name, overrides, code, field] of rows) {
    it(`warns about ${name}`, () => {
      const warning = warningsFor({ ...base, ...overrides }).find((w) => w.code === code);
      assert.ok(warning, `expected ${code}, got ${codes(overrides).join(', ')}`);
      assert.equal(warning.field, field);
      assert.ok(warning.message.length > 10);
    });
  }

  it('does not warn about password-in-clear for CRAM-MD5 or without auth', () => {
    assert.ok(!codes({ security: 'none', authMechanism: 'cram-md5' }).includes('PASSWORD_IN_CLEAR'));
    assert.ok(!codes({ security: 'none', authEnabled: false }).includes('PASSWORD_IN_CLEAR'));
  });

  it('does not warn about basic auth when OAuth2 is chosen', () => {
    assert.deepEqual(codes({ host: 'smtp.office365.com', authMechanism: 'xoauth2' }), []);
    assert.deepEqual(codes({ host: 'smtp.gmail.com', authMechanism: 'xoauth2' }), []);
  });

  it('names the host probably meant', () => {
    assert.match(warningsFor({ ...base, host: 'smtp.google.com' }).find((w) => w.code === 'KNOWN_WRONG_HOST')?.message ?? '', /smtp\.gmail\.com/);
  });
});
