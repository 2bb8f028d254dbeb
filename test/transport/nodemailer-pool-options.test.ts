// What each server setting becomes in nodemailer's pool options, and when the pool's fingerprint changes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { buildPoolOptions, DEFAULT_DELIVERY_TIMEOUTS, poolSettingsKey, poolSettingsKeyCache } from '../../src/adapters/transport/nodemailer-pool-options.ts';
import type { ServerConnection } from '../../src/core/outbound/delivery-types.ts';
import { serverConnection } from './support/delivery-fixtures.ts';

const target = { ip: '192.0.2.10', hostname: 'smtp.example.com' };
const settings = { timeouts: DEFAULT_DELIVERY_TIMEOUTS, heloName: 'mailroom.example.com' };

function withServer(overrides: Parameters<typeof serverConnection>[1]): ServerConnection {
  return serverConnection(587, { host: 'smtp.example.com', ...overrides });
}

describe('buildPoolOptions', () => {
  it('connects to the checked address, with the host name for SNI and the certificate check', () => {
    const options = buildPoolOptions(withServer({}), target, settings);
    assert.equal(options.host, '192.0.2.10');
    assert.equal(options.tls?.servername, 'smtp.example.com');
    assert.equal(options.name, 'mailroom.example.com');
    assert.equal(typeof options.getSocket, 'function', 'the socket is opened by the transport, to the checked address');
  });

  it('sends no SNI when the host is an address literal', () => {
    const options = buildPoolOptions(withServer({ host: '192.0.2.10' }), { ip: '192.0.2.10', hostname: '192.0.2.10' }, settings);
    assert.equal(options.tls?.servername, undefined);
  });

  it('maps security: tls → secure, starttls → requireTLS, none → ignoreTLS', () => {
    const pick = (security: 'none' | 'starttls' | 'tls') => {
      const o = buildPoolOptions(withServer({ security }), target, settings);
      return [o.secure, o.requireTLS, o.ignoreTLS, o.opportunisticTLS];
    };
    assert.deepEqual(pick('tls'), [true, false, false, false]);
    assert.deepEqual(pick('starttls'), [false, true, false, false]);
    assert.deepEqual(pick('none'), [false, false, true, false]);
  });

  it('checks certificates unless the profile explicitly allows invalid ones', () => {
    assert.equal(buildPoolOptions(withServer({}), target, settings).tls?.rejectUnauthorized, true);
    assert.equal(buildPoolOptions(withServer({ allowInvalidCert: true }), target, settings).tls?.rejectUnauthorized, false);
  });

  it('pools with maxMessages Infinity, the server\'s maxConnections, no silent requeue, no nodemailer logging', () => {
    const options = buildPoolOptions(withServer({ maxConnections: 7 }), target, settings);
    assert.equal(options.pool, true);
    assert.equal(options.maxConnections, 7);
    assert.equal(options.maxMessages, Infinity);
    assert.equal(options.maxRequeues, 0);
    assert.equal(options.logger, false);
    assert.equal((options as { forceAuth?: boolean }).forceAuth, undefined, 'credentials only where AUTH is offered');
  });

  it('logs in with the chosen mechanism', () => {
    const auth = (authMechanism: 'plain' | 'login' | 'cram-md5' | 'xoauth2') => {
      const o = buildPoolOptions(withServer({ authEnabled: true, authMechanism, username: 'u@example.com', password: 'secret-value' }), target, settings);
      return { auth: o.auth, authMethod: o.authMethod };
    };
    assert.deepEqual(auth('plain'), { auth: { user: 'u@example.com', pass: 'secret-value' }, authMethod: 'PLAIN' });
    assert.deepEqual(auth('login'), { auth: { user: 'u@example.com', pass: 'secret-value' }, authMethod: 'LOGIN' });
    assert.deepEqual(auth('cram-md5'), { auth: { user: 'u@example.com', pass: 'secret-value' }, authMethod: 'CRAM-MD5' });
    assert.deepEqual(auth('xoauth2'), { auth: { type: 'OAuth2', user: 'u@example.com', accessToken: 'secret-value' }, authMethod: undefined });
    assert.equal(buildPoolOptions(withServer({ authEnabled: false, username: 'u', password: 'p' }), target, settings).auth, undefined);
  });
});

describe('poolSettingsKey', () => {
  const key = randomBytes(32);
  const base = withServer({ authEnabled: true, username: 'u@example.com', password: 'secret-value' });

  it('is stable for the same settings and shows none of them', () => {
    assert.equal(poolSettingsKey(base, key), poolSettingsKey(structuredClone(base), key));
    const fingerprint = poolSettingsKey(base, key);
    for (const value of ['secret-value', 'smtp.example.com', 'u@example.com']) assert.ok(!fingerprint.includes(value));
  });

  it('changes with every setting the connection depends on', () => {
    const variants: ServerConnection[] = [
      { ...base, password: 'other-secret' },
      { ...base, maxConnections: 9 },
      { ...base, server: { ...base.server, host: 'smtp2.example.com' } },
      { ...base, server: { ...base.server, port: 465 } },
      { ...base, server: { ...base.server, security: 'tls' } },
      { ...base, server: { ...base.server, authEnabled: false } },
      { ...base, server: { ...base.server, authMechanism: 'login' } },
      { ...base, server: { ...base.server, username: 'v@example.com' } },
      { ...base, server: { ...base.server, allowInvalidCert: true } },
    ];
    const seen = new Set([poolSettingsKey(base, key), ...variants.map((v) => poolSettingsKey(v, key))]);
    assert.equal(seen.size, variants.length + 1);
  });

  it('differs between processes (keyed per process)', () => {
    assert.notEqual(poolSettingsKey(base, key), poolSettingsKey(base, randomBytes(32)));
  });

  it('is computed once per server while its settings stay the same, and again as soon as one changes', () => {
    const cache = poolSettingsKeyCache(key);
    assert.equal(cache.keyFor(base), poolSettingsKey(base, key));
    assert.equal(cache.keyFor(structuredClone(base)), poolSettingsKey(base, key));
    const changed: ServerConnection[] = [
      { ...base, password: 'other-secret' },
      { ...base, maxConnections: 9 },
      { ...base, server: { ...base.server, host: 'smtp2.example.com' } },
      { ...base, server: { ...base.server, allowInvalidCert: true } },
    ];
    for (const variant of changed) {
      assert.equal(cache.keyFor(variant), poolSettingsKey(variant, key));
      assert.equal(cache.keyFor(base), poolSettingsKey(base, key), 'and back');
    }
  });
});
