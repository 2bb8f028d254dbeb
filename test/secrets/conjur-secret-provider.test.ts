import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConjurSecretProvider } from '../../src/adapters/secrets/conjur-secret-provider.ts';
import { startConjurStandIn, type ConjurStandIn } from '../support/conjur-stand-in.ts';
import { COMPANY_A } from './secret-provider-contract.ts';

const CREDENTIALS = { account: 'myorg', login: 'host/mailroom/app', apiKey: '1x9kqm2v0s7ct3rj8z4w6yd5pbn' };

async function refusal(provider: ConjurSecretProvider, ref: string): Promise<{ code: string; message: string }> {
  try {
    await provider.resolve(ref, COMPANY_A);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  assert.fail(`${ref} resolved`);
}

describe('conjur secret provider', () => {
  let nowMs = 5_000_000;
  const now = () => nowMs;
  let standIn: ConjurStandIn;
  let jsonOnly: ConjurStandIn;

  before(async () => {
    standIn = await startConjurStandIn({ ...CREDENTIALS, now });
    standIn.setVariable('mailroom/acme/smtp/password', 'conjur-pw');
    standIn.setVariable('ops/mailroom/acme/relay', 'relay-pw');
    standIn.setVariable('mailroom/acme/empty', '');
    jsonOnly = await startConjurStandIn({ ...CREDENTIALS, ignoreBase64Request: true });
    jsonOnly.setVariable('mailroom/acme/smtp/password', 'json-token-pw');
  });
  after(async () => {
    await standIn.close();
    await jsonOnly.close();
  });

  const make = (url = standIn.url, prefix?: string) => new ConjurSecretProvider({ ...CREDENTIALS, url, prefix }, { now });

  it('authenticates with a URL-encoded login and reads the scoped variable', async () => {
    assert.equal(await make().resolve('smtp/password', COMPANY_A), 'conjur-pw');
    assert.equal(standIn.variableIdsRequested.at(-1), 'mailroom/acme/smtp/password');
    assert.equal(await make(standIn.url, 'ops/mailroom').resolve('relay', COMPANY_A), 'relay-pw');
  });

  it('base64-encodes a token that arrives as raw JSON', async () => {
    assert.equal(await make(jsonOnly.url).resolve('smtp/password', COMPANY_A), 'json-token-pw');
  });

  it('reuses its token for 7 minutes, then authenticates again', async () => {
    const provider = make();
    const before = standIn.authenticationCount();
    await Promise.all([1, 2, 3].map(() => provider.resolve('smtp/password', COMPANY_A)));
    assert.equal(standIn.authenticationCount() - before, 1);
    nowMs += 6 * 60_000;
    await provider.resolve('smtp/password', COMPANY_A);
    assert.equal(standIn.authenticationCount() - before, 1);
    nowMs += 90_000; // 7.5 minutes after sign-in: past reuse, though the token itself would last to 8
    await provider.resolve('smtp/password', COMPANY_A);
    assert.equal(standIn.authenticationCount() - before, 2);
  });

  it('authenticates again once when Conjur refuses a cached token', async () => {
    const provider = make();
    await provider.resolve('smtp/password', COMPANY_A);
    standIn.revokeAllTokens();
    const before = standIn.authenticationCount();
    assert.equal(await provider.resolve('smtp/password', COMPANY_A), 'conjur-pw');
    assert.equal(standIn.authenticationCount() - before, 1);
  });

  it('explains absent and empty variables and a refused API key', async () => {
    const absent = await refusal(make(), 'smtp/other');
    assert.equal(absent.code, 'SECRET_UNRESOLVED');
    assert.match(absent.message, /"conjur:smtp\/other" could not be resolved: Conjur has no such variable/);
    assert.match((await refusal(make(), 'empty')).message, /the Conjur variable is empty/);
    const wrongKey = new ConjurSecretProvider({ ...CREDENTIALS, apiKey: 'nope', url: standIn.url });
    const err = await refusal(wrongKey, 'smtp/password');
    assert.equal(err.code, 'SECRET_UNRESOLVED');
    assert.match(err.message, /the login or API key was refused \(HTTP 401\)/);
  });

  it('refuses references that could leave the company branch, without asking Conjur', async () => {
    const asked = standIn.variableIdsRequested.length;
    for (const ref of ['', '/mailroom/acme-eu/x', '../acme-eu/x', 'a/../../acme-eu/x', '%2e%2e/x', 'a//b', 'a:b', 'a b']) {
      assert.equal((await refusal(make(), ref)).code, 'SECRET_REFERENCE_INVALID', JSON.stringify(ref));
    }
    assert.equal(standIn.variableIdsRequested.length, asked);
  });

  it('refuses bad configuration at boot', () => {
    const base = { ...CREDENTIALS, url: 'https://conjur.example.com' };
    assert.throws(() => new ConjurSecretProvider({ ...base, url: '' }), /MAILROOM_CONJUR_URL/);
    assert.throws(() => new ConjurSecretProvider({ ...base, account: 'a/b' }), /MAILROOM_CONJUR_ACCOUNT/);
    assert.throws(() => new ConjurSecretProvider({ ...base, login: '' }), /MAILROOM_CONJUR_LOGIN/);
    assert.throws(() => new ConjurSecretProvider({ ...base, apiKey: '' }), /MAILROOM_CONJUR_API_KEY/);
    assert.throws(() => new ConjurSecretProvider({ ...base, prefix: '..' }), /MAILROOM_CONJUR_PREFIX/);
  });
});
