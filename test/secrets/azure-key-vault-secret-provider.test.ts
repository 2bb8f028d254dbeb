import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AzureKeyVaultSecretProvider } from '../../src/adapters/secrets/azure-key-vault-secret-provider.ts';
import { startAzureKeyVaultStandIn, type AzureKeyVaultStandIn } from '../support/azure-key-vault-stand-in.ts';
import { createCaptureLogger } from '../support/capture-logger.ts';
import { COMPANY_A } from './secret-provider-contract.ts';

const CREDENTIALS = { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: 'app-3333', clientSecret: 'unit-client-secret-Qx9~' };

async function refusal(provider: AzureKeyVaultSecretProvider, ref: string): Promise<{ code: string; message: string }> {
  try {
    await provider.resolve(ref, COMPANY_A);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  assert.fail(`${ref} resolved`);
}

describe('azure key vault secret provider', () => {
  let standIn: AzureKeyVaultStandIn;
  let firstVersion: string;

  before(async () => {
    standIn = await startAzureKeyVaultStandIn(CREDENTIALS);
    firstVersion = standIn.setSecret('acme--smtp', 'first');
    standIn.setSecret('acme--smtp', 'second');
    standIn.setSecret('acme--off', 'disabled-value', { enabled: false });
  });
  after(async () => {
    await standIn.close();
  });

  const make = (now?: () => number) => new AzureKeyVaultSecretProvider({ ...CREDENTIALS, vaultUrl: standIn.vaultUrl, authorityHost: standIn.authorityHost }, { now });

  it('signs in with a form-encoded client-credentials request for the Key Vault scope', async () => {
    const before = standIn.tokenRequests.length;
    assert.equal(await make().resolve('smtp', COMPANY_A), 'second');
    const form = standIn.tokenRequests[before];
    assert.equal(form?.get('grant_type'), 'client_credentials');
    assert.equal(form?.get('client_id'), CREDENTIALS.clientId);
    assert.equal(form?.get('client_secret'), CREDENTIALS.clientSecret);
    assert.equal(form?.get('scope'), 'https://vault.azure.net/.default');
  });

  it('reads a pinned version', async () => {
    assert.equal(await make().resolve(`smtp/${firstVersion}`, COMPANY_A), 'first');
  });

  it('reuses its token until shortly before it expires, with one sign-in for concurrent lookups', async () => {
    let nowMs = 1_000_000;
    const provider = make(() => nowMs);
    const before = standIn.tokenRequests.length;
    const values = await Promise.all([1, 2, 3, 4].map(() => provider.resolve('smtp', COMPANY_A)));
    assert.deepEqual(values, ['second', 'second', 'second', 'second']);
    assert.equal(standIn.tokenRequests.length - before, 1);
    nowMs += 55 * 60_000; // the stand-in's tokens last 3599 s; 55 minutes is still inside the reuse window
    await provider.resolve('smtp', COMPANY_A);
    assert.equal(standIn.tokenRequests.length - before, 1);
    nowMs += 3 * 60_000; // 58 minutes: inside the two-minute renewal margin
    await provider.resolve('smtp', COMPANY_A);
    assert.equal(standIn.tokenRequests.length - before, 2);
  });

  it('signs in again once when Key Vault refuses a cached token', async () => {
    const logger = createCaptureLogger();
    const provider = new AzureKeyVaultSecretProvider({ ...CREDENTIALS, vaultUrl: standIn.vaultUrl, authorityHost: standIn.authorityHost }, { logger });
    await provider.resolve('smtp', COMPANY_A);
    standIn.revokeAllTokens();
    const before = standIn.tokenRequests.length;
    assert.equal(await provider.resolve('smtp', COMPANY_A), 'second');
    assert.equal(standIn.tokenRequests.length - before, 1);
    assert.ok(logger.entries.some((e) => e.msg?.includes('signing in again')));
    for (const token of standIn.issuedTokens) assert.ok(!logger.text().includes(token));
  });

  it('names the sign-in error code when the client credentials are refused', async () => {
    const provider = new AzureKeyVaultSecretProvider({ ...CREDENTIALS, clientSecret: 'wrong', vaultUrl: standIn.vaultUrl, authorityHost: standIn.authorityHost });
    const err = await refusal(provider, 'smtp');
    assert.equal(err.code, 'SECRET_UNRESOLVED');
    assert.match(err.message, /refused the client credentials, HTTP 401 \(invalid_client\)/);
    const wrongTenant = new AzureKeyVaultSecretProvider({ ...CREDENTIALS, tenantId: 'other', vaultUrl: standIn.vaultUrl, authorityHost: standIn.authorityHost });
    assert.match((await refusal(wrongTenant, 'smtp')).message, /\(invalid_request\)/);
  });

  it('explains disabled and absent secrets', async () => {
    const disabled = await refusal(make(), 'off');
    assert.equal(disabled.code, 'SECRET_UNRESOLVED');
    assert.match(disabled.message, /"azure:off" could not be resolved: the Azure Key Vault secret is disabled/);
    assert.match((await refusal(make(), 'absent')).message, /Azure Key Vault has no such secret/);
    assert.match((await refusal(make(), `smtp/${'0'.repeat(32)}`)).message, /no such secret/);
  });

  it('refuses names Key Vault cannot hold, and names too long once scoped', async () => {
    const asked = standIn.secretNamesRequested.length;
    for (const ref of ['', 'smtp_password', 'smtp.password', 'smtp password', '-smtp', 'smtp/v1', 'smtp/x/y', 'a'.repeat(122)]) {
      assert.equal((await refusal(make(), ref)).code, 'SECRET_REFERENCE_INVALID', JSON.stringify(ref));
    }
    assert.equal(standIn.secretNamesRequested.length, asked);
    // 127 characters with "acme--" in front is the longest Key Vault accepts.
    assert.match((await refusal(make(), 'a'.repeat(121))).message, /no such secret/);
  });

  it('refuses bad configuration at boot', () => {
    const base = { ...CREDENTIALS, vaultUrl: 'https://v.vault.azure.net' };
    assert.throws(() => new AzureKeyVaultSecretProvider({ ...base, vaultUrl: 'not a url' }), /MAILROOM_AZURE_VAULT_URL/);
    assert.throws(() => new AzureKeyVaultSecretProvider({ ...base, tenantId: '' }), /MAILROOM_AZURE_TENANT_ID/);
    assert.throws(() => new AzureKeyVaultSecretProvider({ ...base, clientId: '' }), /MAILROOM_AZURE_CLIENT_ID/);
    assert.throws(() => new AzureKeyVaultSecretProvider({ ...base, clientSecret: '' }), /MAILROOM_AZURE_CLIENT_SECRET/);
    assert.throws(() => new AzureKeyVaultSecretProvider({ ...base, authorityHost: 'login?x=1' }), /MAILROOM_AZURE_AUTHORITY_HOST/);
  });
});
