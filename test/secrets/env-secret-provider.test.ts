import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvSecretProvider, companyEnvToken } from '../../src/adapters/secrets/env-secret-provider.ts';
import type { SecretScope } from '../../src/core/ports.ts';
import { COMPANY_A, COMPANY_B } from './secret-provider-contract.ts';

/** An environment that records every name looked up in it. */
function recordingEnv(values: Record<string, string>): { env: NodeJS.ProcessEnv; read: string[] } {
  const read: string[] = [];
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') read.push(key);
      return Reflect.get(target, key);
    },
  });
  return { env, read };
}

async function refusal(provider: EnvSecretProvider, name: string, scope: SecretScope = COMPANY_A): Promise<{ code: string; message: string }> {
  try {
    await provider.resolve(name, scope);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  assert.fail(`${name} resolved`);
}

describe('env secret provider', () => {
  it('is disabled while the allow list is empty, and reads nothing', async () => {
    const { env, read } = recordingEnv({ SMTP_PASSWORD: 'x' });
    const err = await refusal(new EnvSecretProvider({ allow: [] }, env), 'SMTP_PASSWORD');
    assert.equal(err.code, 'SECRET_REFERENCE_INVALID');
    assert.match(err.message, /env references are not enabled on this instance/);
    assert.match(err.message, /"env:SMTP_PASSWORD"/);
    assert.deepEqual(read, []);
  });

  it('turns a slug into the {company} token', () => {
    assert.equal(companyEnvToken('acme'), 'ACME');
    assert.equal(companyEnvToken('acme-eu'), 'ACME_EU');
  });

  it("lets a company read only names its {company} pattern gives it", async () => {
    const { env, read } = recordingEnv({ MAILROOM_SMTP_ACME__PASSWORD: 'a-pass', MAILROOM_SMTP_ACME_EU__PASSWORD: 'b-pass', OTHER: 'o' });
    const provider = new EnvSecretProvider({ allow: ['MAILROOM_SMTP_{company}__*'] }, env);
    assert.equal(await provider.resolve('MAILROOM_SMTP_ACME__PASSWORD', COMPANY_A), 'a-pass');
    assert.equal(await provider.resolve('MAILROOM_SMTP_ACME_EU__PASSWORD', COMPANY_B), 'b-pass');
    read.length = 0;
    assert.equal((await refusal(provider, 'MAILROOM_SMTP_ACME_EU__PASSWORD', COMPANY_A)).code, 'SECRET_REFERENCE_INVALID');
    assert.equal((await refusal(provider, 'MAILROOM_SMTP_ACME__PASSWORD', COMPANY_B)).code, 'SECRET_REFERENCE_INVALID');
    assert.equal((await refusal(provider, 'OTHER', COMPANY_A)).code, 'SECRET_REFERENCE_INVALID');
    assert.deepEqual(read, [], 'a refused name is never looked up');
  });

  it('refuses, for every company, a name that two companies’ patterns could both claim', async () => {
    // With a single "_" after {company}, MAILROOM_SMTP_ACME_EU_PASSWORD fits "acme" (token ACME, rest
    // "_EU_PASSWORD") as well as "acme-eu" (token ACME_EU, rest "_PASSWORD").
    const { env, read } = recordingEnv({ MAILROOM_SMTP_ACME_PASSWORD: 'a-pass', MAILROOM_SMTP_ACME_EU_PASSWORD: 'b-pass' });
    const provider = new EnvSecretProvider({ allow: ['MAILROOM_SMTP_{company}_*'] }, env);
    assert.equal(await provider.resolve('MAILROOM_SMTP_ACME_PASSWORD', COMPANY_A), 'a-pass');
    read.length = 0;
    const forA = await refusal(provider, 'MAILROOM_SMTP_ACME_EU_PASSWORD', COMPANY_A);
    const forB = await refusal(provider, 'MAILROOM_SMTP_ACME_EU_PASSWORD', COMPANY_B);
    assert.equal(forA.code, 'SECRET_REFERENCE_INVALID');
    assert.equal(forB.code, 'SECRET_REFERENCE_INVALID');
    assert.match(forA.message, /more than one company/);
    assert.match(forA.message, /"__" after \{company\}/);
    assert.deepEqual(read, []);
  });

  it('lets every company read a name an instance-wide pattern allows (the operator chose to share it)', async () => {
    const provider = new EnvSecretProvider({ allow: ['MAILROOM_SHARED_RELAY_*'] }, { MAILROOM_SHARED_RELAY_PASSWORD: 'shared' });
    assert.equal(await provider.resolve('MAILROOM_SHARED_RELAY_PASSWORD', COMPANY_A), 'shared');
    assert.equal(await provider.resolve('MAILROOM_SHARED_RELAY_PASSWORD', COMPANY_B), 'shared');
  });

  it("never reads Mailroom's own credentials, even under an over-broad pattern", async () => {
    const { env, read } = recordingEnv({ MAILROOM_SECRET_KEY: 'k', MAILROOM_VAULT_TOKEN: 't', MAILROOM_CONJUR_API_KEY: 'c', MAILROOM_SMTP: 'ok' });
    const provider = new EnvSecretProvider({ allow: ['MAILROOM_*'] }, env);
    for (const name of ['MAILROOM_SECRET_KEY', 'MAILROOM_SECRET_KEY_PREVIOUS', 'MAILROOM_VAULT_TOKEN', 'MAILROOM_CONJUR_API_KEY', 'MAILROOM_DATABASE_URL']) {
      const err = await refusal(provider, name);
      assert.equal(err.code, 'SECRET_REFERENCE_INVALID', name);
      assert.match(err.message, /keeps for its own credentials/);
    }
    assert.deepEqual(read, []);
    assert.equal(await provider.resolve('MAILROOM_SMTP', COMPANY_A), 'ok');
    const custom = new EnvSecretProvider({ allow: ['APP_*'], deny: ['APP_ROOT_*'] }, { APP_ROOT_PASSWORD: 'r' });
    assert.equal((await refusal(custom, 'APP_ROOT_PASSWORD')).code, 'SECRET_REFERENCE_INVALID');
  });

  it('refuses malformed names, and slugs scoping cannot rely on', async () => {
    const provider = new EnvSecretProvider({ allow: ['SMTP_{company}__*'] }, { SMTP_ACME__X: 'x' });
    for (const name of ['', '../SMTP_ACME__X', '/SMTP_ACME__X', 'SMTP_ACME__X ', '%2e%2e', '1SMTP', 'SMTP-ACME', 'A'.repeat(300)]) {
      assert.equal((await refusal(provider, name)).code, 'SECRET_REFERENCE_INVALID', JSON.stringify(name));
    }
    for (const companySlug of ['Acme', 'acme_eu', 'acme--eu', '-acme', 'acme/eu', '']) {
      assert.equal((await refusal(provider, 'SMTP_ACME__X', { companyId: 'x', companySlug })).code, 'SECRET_REFERENCE_INVALID', companySlug);
    }
  });

  it('answers SECRET_UNRESOLVED for an allowed name that is unset or empty', async () => {
    const provider = new EnvSecretProvider({ allow: ['SMTP_{company}__*'] }, { SMTP_ACME__EMPTY: '' });
    const unset = await refusal(provider, 'SMTP_ACME__UNSET');
    assert.equal(unset.code, 'SECRET_UNRESOLVED');
    assert.match(unset.message, /"env:SMTP_ACME__UNSET" could not be resolved: the variable is not set/);
    assert.equal((await refusal(provider, 'SMTP_ACME__EMPTY')).code, 'SECRET_UNRESOLVED');
  });

  it('refuses unsafe patterns at boot', () => {
    for (const allow of [['*'], ['{company}'], ['{company}_*'], ['*_PASSWORD'], ['**'], ['A_{company}_{company}'], ['SMTP-{company}'], ['SMTP_{COMPANY}'], ['SMTP.*']]) {
      assert.throws(() => new EnvSecretProvider({ allow }, {}), /invalid configuration/, allow.join());
    }
  });
});
