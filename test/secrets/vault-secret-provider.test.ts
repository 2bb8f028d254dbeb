import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VaultSecretProvider } from '../../src/adapters/secrets/vault-secret-provider.ts';
import { startLocalHttpServer, type LocalHttpServer } from '../support/local-http-server.ts';
import { startVaultStandIn, type VaultStandIn } from '../support/vault-stand-in.ts';
import { COMPANY_A } from './secret-provider-contract.ts';

const TOKEN = 'hvs.unit-test-token-4c1e9a';

async function refusal(provider: VaultSecretProvider, ref: string): Promise<{ code: string; message: string }> {
  try {
    await provider.resolve(ref, COMPANY_A);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  assert.fail(`${ref} resolved`);
}

describe('vault secret provider', () => {
  let standIn: VaultStandIn;
  let enterprise: VaultStandIn;

  before(async () => {
    standIn = await startVaultStandIn({ token: TOKEN });
    standIn.putSecret('mailroom/acme/smtp', { password: 'pw', username: 'user', port: 587, blank: '' });
    standIn.putSecret('mailroom/acme/gone', { password: 'old' });
    standIn.deleteLatest('mailroom/acme/gone');
    enterprise = await startVaultStandIn({ token: TOKEN, mount: 'kv/prod', namespace: 'team-a' });
    enterprise.putSecret('apps/mailroom/acme/smtp/main', { password: 'enterprise-pw' });
  });
  after(async () => {
    await standIn.close();
    await enterprise.close();
  });

  it('reads the key after "#", "password" by default, sending the token headers', async () => {
    const provider = new VaultSecretProvider({ addr: `${standIn.url}/`, token: TOKEN });
    assert.equal(await provider.resolve('smtp', COMPANY_A), 'pw');
    assert.equal(await provider.resolve('smtp#username', COMPANY_A), 'user');
    const headers = standIn.requestHeaders.at(-1);
    assert.equal(headers?.['x-vault-token'], TOKEN);
    assert.equal(headers?.['x-vault-request'], 'true');
    assert.equal(headers?.['x-vault-namespace'], undefined);
    assert.equal(standIn.secretPathsRequested.at(-1), 'mailroom/acme/smtp');
  });

  it('uses the configured mount, prefix and namespace', async () => {
    const provider = new VaultSecretProvider({ addr: enterprise.url, token: TOKEN, mount: 'kv/prod', prefix: 'apps/mailroom', namespace: 'team-a' });
    assert.equal(await provider.resolve('smtp/main', COMPANY_A), 'enterprise-pw');
    assert.equal(enterprise.requestHeaders.at(-1)?.['x-vault-namespace'], 'team-a');
    const wrongNamespace = new VaultSecretProvider({ addr: enterprise.url, token: TOKEN, mount: 'kv/prod', prefix: 'apps/mailroom', namespace: 'team-b' });
    const err = await refusal(wrongNamespace, 'smtp/main');
    assert.equal(err.code, 'SECRET_UNRESOLVED');
    assert.match(err.message, /Vault denied access/);
  });

  it('explains missing keys, values that are not text, empty values and deleted versions', async () => {
    const provider = new VaultSecretProvider({ addr: standIn.url, token: TOKEN });
    const cases: [string, RegExp][] = [
      ['smtp#api_key', /has no key "api_key"/],
      ['smtp#port', /key "port" of the Vault secret is not text/],
      ['smtp#blank', /is empty/],
      ['gone', /latest version of this Vault secret is deleted/],
      ['absent', /Vault has no such secret/],
    ];
    for (const [ref, message] of cases) {
      const err = await refusal(provider, ref);
      assert.equal(err.code, 'SECRET_UNRESOLVED', ref);
      assert.match(err.message, message, ref);
      assert.ok(err.message.includes(JSON.stringify(`vault:${ref}`)), err.message);
    }
  });

  it('refuses references that could leave the company prefix before asking Vault', async () => {
    const provider = new VaultSecretProvider({ addr: standIn.url, token: TOKEN });
    const asked = standIn.secretPathsRequested.length;
    for (const ref of ['', '#password', 'smtp#', '/smtp', 'smtp/', 'a//b', '..', '../x', 'a/./b', '%2e%2e/x', 'a b', 'a\\b', 'smtp?version=1', 'x'.repeat(600)]) {
      assert.equal((await refusal(provider, ref)).code, 'SECRET_REFERENCE_INVALID', JSON.stringify(ref));
    }
    assert.equal(standIn.secretPathsRequested.length, asked);
  });

  it('gives up after its timeout when Vault does not answer', async () => {
    const silent: LocalHttpServer = await startLocalHttpServer(() => {
      // Never answers: a hung manager.
    });
    try {
      const provider = new VaultSecretProvider({ addr: silent.url, token: TOKEN, timeoutMs: 100 });
      const err = await refusal(provider, 'smtp');
      assert.equal(err.code, 'SECRET_UNRESOLVED');
      assert.match(err.message, /Vault did not answer within 100 ms/);
    } finally {
      await silent.close();
    }
  });

  it('refuses bad configuration at boot', () => {
    assert.throws(() => new VaultSecretProvider({ addr: 'vault.example.com', token: TOKEN }), /MAILROOM_VAULT_ADDR/);
    assert.throws(() => new VaultSecretProvider({ addr: 'ftp://vault', token: TOKEN }), /MAILROOM_VAULT_ADDR/);
    assert.throws(() => new VaultSecretProvider({ addr: 'https://u:p@vault', token: TOKEN }), /credentials/);
    assert.throws(() => new VaultSecretProvider({ addr: 'https://vault', token: '' }), /MAILROOM_VAULT_TOKEN/);
    assert.throws(() => new VaultSecretProvider({ addr: 'https://vault', token: TOKEN, mount: '../sys' }), /MAILROOM_VAULT_MOUNT/);
    assert.throws(() => new VaultSecretProvider({ addr: 'https://vault', token: TOKEN, prefix: 'a/%2e%2e' }), /MAILROOM_VAULT_PREFIX/);
  });
});

describe('vault secret provider, against a server that redirects', () => {
  it('does not follow the redirect, so the token is not sent elsewhere', async () => {
    const hits: string[] = [];
    const elsewhere = await startLocalHttpServer((req, _body, res) => {
      hits.push(String(req.headers['x-vault-token']));
      res.end('{}');
    });
    const redirecting = await startLocalHttpServer((_req, _body, res) => {
      res.writeHead(307, { Location: `${elsewhere.url}/v1/secret/data/mailroom/acme/smtp` });
      res.end();
    });
    try {
      const err = await refusal(new VaultSecretProvider({ addr: redirecting.url, token: TOKEN }), 'smtp');
      assert.equal(err.code, 'SECRET_UNRESOLVED');
      assert.match(err.message, /Vault answered with a redirect, which is not followed/);
      assert.deepEqual(hits, []);
    } finally {
      await redirecting.close();
      await elsewhere.close();
    }
  });
});
