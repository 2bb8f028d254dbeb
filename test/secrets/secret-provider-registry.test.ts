import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  EXTERNAL_SECRET_SCHEMES, SECRET_PROVIDER_ENV_VARS, createSecretProviders, secretProvidersConfigFromEnv,
} from '../../src/adapters/secrets/secret-provider-registry.ts';
import { startVaultStandIn, type VaultStandIn } from '../support/vault-stand-in.ts';
import { COMPANY_A } from './secret-provider-contract.ts';

const FULL_ENV = {
  MAILROOM_DATA_DIR: '/var/lib/mailroom',
  MAILROOM_SECRETS_ENV_ALLOW: ' MAILROOM_SMTP_{company}__* , MAILROOM_RELAY_* ,',
  MAILROOM_SECRETS_FILE_DIRS: '/run/secrets/mailroom/{company},/run/secrets/shared',
  MAILROOM_SECRETS_TIMEOUT_MS: '2500',
  MAILROOM_VAULT_ADDR: 'https://vault.example.com:8200',
  MAILROOM_VAULT_TOKEN: 'hvs.x',
  MAILROOM_VAULT_MOUNT: 'kv',
  MAILROOM_VAULT_PREFIX: 'apps/mailroom',
  MAILROOM_VAULT_NAMESPACE: 'team-a',
  MAILROOM_AZURE_VAULT_URL: 'https://mailroom.vault.azure.net',
  MAILROOM_AZURE_TENANT_ID: 'tenant',
  MAILROOM_AZURE_CLIENT_ID: 'client',
  MAILROOM_AZURE_CLIENT_SECRET: 'client-secret',
  MAILROOM_AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us',
  MAILROOM_CONJUR_URL: 'https://conjur.example.com',
  MAILROOM_CONJUR_ACCOUNT: 'myorg',
  MAILROOM_CONJUR_LOGIN: 'host/mailroom/app',
  MAILROOM_CONJUR_API_KEY: 'api-key',
  MAILROOM_CONJUR_PREFIX: 'ops/mailroom',
};

describe('secret provider registry', () => {
  let standIn: VaultStandIn;
  before(async () => {
    standIn = await startVaultStandIn({ token: 'hvs.registry-token' });
    standIn.putSecret('mailroom/acme/smtp', { password: 'via-registry' });
  });
  after(async () => {
    await standIn.close();
  });

  it('documents every variable it reads', () => {
    for (const name of Object.keys(FULL_ENV).filter((n) => n !== 'MAILROOM_DATA_DIR')) {
      assert.ok(name in SECRET_PROVIDER_ENV_VARS, name);
    }
  });

  it('enables nothing when nothing is set', () => {
    const config = secretProvidersConfigFromEnv({});
    assert.deepEqual(
      { ...config, fileReservedDirs: undefined },
      { envAllow: [], fileDirs: [], fileReservedDirs: undefined, vault: null, azure: null, conjur: null, requestTimeoutMs: 5000 },
    );
    assert.deepEqual(config.fileReservedDirs, [path.resolve('./data')]);
    assert.deepEqual(createSecretProviders(config), []);
  });

  it('reads every provider from the environment', () => {
    const config = secretProvidersConfigFromEnv(FULL_ENV);
    assert.deepEqual(config.envAllow, ['MAILROOM_SMTP_{company}__*', 'MAILROOM_RELAY_*']);
    assert.deepEqual(config.fileDirs, ['/run/secrets/mailroom/{company}', '/run/secrets/shared']);
    assert.deepEqual(config.fileReservedDirs, ['/var/lib/mailroom']);
    assert.equal(config.requestTimeoutMs, 2500);
    assert.deepEqual(config.vault, { addr: 'https://vault.example.com:8200', token: 'hvs.x', mount: 'kv', prefix: 'apps/mailroom', namespace: 'team-a', timeoutMs: 2500 });
    assert.deepEqual(config.azure, { vaultUrl: 'https://mailroom.vault.azure.net', tenantId: 'tenant', clientId: 'client', clientSecret: 'client-secret', authorityHost: 'https://login.microsoftonline.us', timeoutMs: 2500 });
    assert.deepEqual(config.conjur, { url: 'https://conjur.example.com', account: 'myorg', login: 'host/mailroom/app', apiKey: 'api-key', prefix: 'ops/mailroom', timeoutMs: 2500 });
    const schemes = createSecretProviders(config, { env: {} }).map((p) => p.scheme);
    assert.deepEqual(schemes, [...EXTERNAL_SECRET_SCHEMES]);
  });

  it('refuses a half-configured manager and a bad timeout', () => {
    assert.throws(() => secretProvidersConfigFromEnv({ MAILROOM_VAULT_ADDR: 'https://v' }), /MAILROOM_VAULT_TOKEN is required when MAILROOM_VAULT_ADDR is set/);
    assert.throws(() => secretProvidersConfigFromEnv({ MAILROOM_AZURE_VAULT_URL: 'https://v', MAILROOM_AZURE_TENANT_ID: 't' }), /MAILROOM_AZURE_CLIENT_ID/);
    assert.throws(() => secretProvidersConfigFromEnv({ MAILROOM_CONJUR_URL: 'https://c', MAILROOM_CONJUR_ACCOUNT: 'a', MAILROOM_CONJUR_LOGIN: 'l' }), /MAILROOM_CONJUR_API_KEY/);
    assert.throws(() => secretProvidersConfigFromEnv({ MAILROOM_SECRETS_TIMEOUT_MS: '5s' }), /MAILROOM_SECRETS_TIMEOUT_MS/);
  });

  it('hands the injected env and fetch to the providers', async () => {
    const urls: string[] = [];
    const spyFetch: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const config = secretProvidersConfigFromEnv({
      MAILROOM_SECRETS_ENV_ALLOW: 'SMTP_{company}__*',
      MAILROOM_VAULT_ADDR: standIn.url,
      MAILROOM_VAULT_TOKEN: 'hvs.registry-token',
    });
    const providers = createSecretProviders(config, { env: { SMTP_ACME__PASSWORD: 'from-env' }, fetch: spyFetch });
    const byScheme = new Map(providers.map((p) => [p.scheme, p]));
    assert.equal(await byScheme.get('env')?.resolve('SMTP_ACME__PASSWORD', COMPANY_A), 'from-env');
    assert.equal(await byScheme.get('vault')?.resolve('smtp', COMPANY_A), 'via-registry');
    assert.deepEqual(urls, [`${standIn.url}/v1/secret/data/mailroom/acme/smtp`]);
  });
});
