// Runs the SecretProvider contract over every external provider, the HTTP ones against local
// stand-ins that speak their manager's API.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AzureKeyVaultSecretProvider } from '../../src/adapters/secrets/azure-key-vault-secret-provider.ts';
import { ConjurSecretProvider } from '../../src/adapters/secrets/conjur-secret-provider.ts';
import { EnvSecretProvider } from '../../src/adapters/secrets/env-secret-provider.ts';
import { FileSecretProvider } from '../../src/adapters/secrets/file-secret-provider.ts';
import { VaultSecretProvider } from '../../src/adapters/secrets/vault-secret-provider.ts';
import { startAzureKeyVaultStandIn } from '../support/azure-key-vault-stand-in.ts';
import { createCaptureLogger } from '../support/capture-logger.ts';
import { startConjurStandIn } from '../support/conjur-stand-in.ts';
import { closedLocalPort } from '../support/local-http-server.ts';
import { startVaultStandIn } from '../support/vault-stand-in.ts';
import { secretProviderContract } from './secret-provider-contract.ts';

const VALUE_A = 'acme-smtp-pass-Qm7v2Lx9';
const VALUE_B = 'acme-eu-smtp-pass-Zt4w8Kp1';
const VALUE_B_ONLY = 'acme-eu-only-pass-Hc3n6Rb5';

/** Traversal attempts every path-shaped scheme gets, on top of its own. */
const TRAVERSALS = ['../acme-eu/smtp', '%2e%2e/acme-eu/smtp', '..%2facme-eu%2fsmtp', '/mailroom/acme-eu/smtp', 'smtp/../../acme-eu/smtp', './smtp', 'smtp//password'];

secretProviderContract('env', async () => {
  const values: Record<string, string> = {
    MAILROOM_SMTP_ACME__PASSWORD: VALUE_A,
    MAILROOM_SMTP_ACME_EU__PASSWORD: VALUE_B,
    MAILROOM_SMTP_ACME_EU__EU_ONLY: VALUE_B_ONLY,
  };
  const read: string[] = [];
  // Records every name the provider looks up, to show that B's names are never even read.
  const env = new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string') read.push(key);
      return Reflect.get(target, key);
    },
  });
  const logger = createCaptureLogger();
  return {
    provider: new EnvSecretProvider({ allow: ['MAILROOM_SMTP_{company}__*'] }, env),
    ownReference: 'MAILROOM_SMTP_ACME__PASSWORD',
    ownValue: VALUE_A,
    otherReference: 'MAILROOM_SMTP_ACME_EU__PASSWORD',
    otherValue: VALUE_B,
    crossCompanyReferences: [
      'MAILROOM_SMTP_ACME_EU__PASSWORD',
      'MAILROOM_SMTP_ACME_EU__EU_ONLY',
      '../MAILROOM_SMTP_ACME_EU__PASSWORD',
      '%2e%2eMAILROOM_SMTP_ACME_EU__PASSWORD',
      '/MAILROOM_SMTP_ACME_EU__PASSWORD',
      'MAILROOM_SMTP_ACME__/../MAILROOM_SMTP_ACME_EU__PASSWORD',
    ],
    missingReference: 'MAILROOM_SMTP_ACME__RELAY',
    locationsRequested: () => read,
    ownLocationPrefix: 'MAILROOM_SMTP_ACME__',
    otherLocationPrefix: 'MAILROOM_SMTP_ACME_EU__',
    sensitiveStrings: () => [VALUE_A, VALUE_B, VALUE_B_ONLY],
    logText: () => logger.text(),
    close: async () => {},
  };
});

secretProviderContract('file', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'mailroom-file-secrets-'));
  const acme = path.join(root, 'companies', 'acme');
  const acmeEu = path.join(root, 'companies', 'acme-eu');
  await mkdir(acme, { recursive: true });
  await mkdir(acmeEu, { recursive: true });
  await writeFile(path.join(acme, 'smtp'), `${VALUE_A}\n`);
  await writeFile(path.join(acmeEu, 'smtp'), `${VALUE_B}\n`);
  await writeFile(path.join(acmeEu, 'eu-only'), VALUE_B_ONLY);
  // A link planted in A's folder that points at B's file must not be followed out.
  await symlink(path.join(acmeEu, 'smtp'), path.join(acme, 'link-to-eu'));
  await symlink(acmeEu, path.join(acme, 'eu-folder'));
  const logger = createCaptureLogger();
  return {
    provider: new FileSecretProvider({ dirs: [path.join(root, 'companies', '{company}')] }),
    ownReference: 'smtp',
    ownValue: VALUE_A,
    otherReference: 'smtp',
    otherValue: VALUE_B,
    crossCompanyReferences: [
      ...TRAVERSALS,
      '../acme-eu/smtp',
      path.join(acmeEu, 'smtp'),
      `${acme}/../acme-eu/smtp`,
      'link-to-eu',
      'eu-folder/smtp',
      path.join(acme, 'link-to-eu'),
      'eu-only',
      '/etc/passwd',
    ],
    missingReference: 'no-such-secret',
    sensitiveStrings: () => [VALUE_A, VALUE_B, VALUE_B_ONLY],
    logText: () => logger.text(),
    close: () => rm(root, { recursive: true, force: true }),
  };
});

secretProviderContract('vault', async () => {
  const token = 'hvs.CAESIJ-test-vault-token-7Yh2Qw';
  const standIn = await startVaultStandIn({ token });
  standIn.putSecret('mailroom/acme/smtp', { password: VALUE_A, username: 'acme' });
  standIn.putSecret('mailroom/acme-eu/smtp', { password: VALUE_B });
  standIn.putSecret('mailroom/acme-eu/eu-only', { password: VALUE_B_ONLY });
  const logger = createCaptureLogger();
  const make = (addr: string, withToken: string) => new VaultSecretProvider({ addr, token: withToken }, { logger });
  return {
    provider: make(standIn.url, token),
    ownReference: 'smtp#password',
    ownValue: VALUE_A,
    otherReference: 'smtp',
    otherValue: VALUE_B,
    crossCompanyReferences: [...TRAVERSALS, 'eu-only', 'acme-eu/smtp', '../acme-eu/smtp#password', 'smtp#../../acme-eu/smtp'],
    missingReference: 'relay#password',
    locationsRequested: () => standIn.secretPathsRequested,
    ownLocationPrefix: 'mailroom/acme/',
    otherLocationPrefix: 'mailroom/acme-eu/',
    unreachableProvider: async () => make(`http://127.0.0.1:${await closedLocalPort()}`, token),
    wrongCredentialsProvider: () => make(standIn.url, 'hvs.wrong-token-0000000000'),
    sensitiveStrings: () => [VALUE_A, VALUE_B, VALUE_B_ONLY, token],
    logText: () => logger.text(),
    close: () => standIn.close(),
  };
});

secretProviderContract('azure', async () => {
  const credentials = { tenantId: 'tenant-1111', clientId: 'client-2222', clientSecret: 'azure-client-secret-Vb8q~Lm3' };
  const standIn = await startAzureKeyVaultStandIn(credentials);
  standIn.setSecret('acme--smtp', VALUE_A);
  standIn.setSecret('acme-eu--smtp', VALUE_B);
  standIn.setSecret('acme-eu--eu-only', VALUE_B_ONLY);
  const logger = createCaptureLogger();
  const make = (urls: { authorityHost: string; vaultUrl: string }, clientSecret: string) =>
    new AzureKeyVaultSecretProvider({ ...credentials, ...urls, clientSecret }, { logger });
  return {
    provider: make(standIn, credentials.clientSecret),
    ownReference: 'smtp',
    ownValue: VALUE_A,
    otherReference: 'smtp',
    otherValue: VALUE_B,
    crossCompanyReferences: [
      ...TRAVERSALS,
      'eu-only',
      // With a single-dash separator these two would reach "acme-eu-…"; with "--" they cannot.
      'eu--smtp',
      '-eu--smtp',
      'eu-smtp',
      'acme-eu--smtp',
      '..%2facme-eu--smtp',
    ],
    missingReference: 'relay',
    locationsRequested: () => standIn.secretNamesRequested,
    ownLocationPrefix: 'acme--',
    otherLocationPrefix: 'acme-eu--',
    unreachableProvider: async () => {
      const port = await closedLocalPort();
      return make({ authorityHost: `http://127.0.0.1:${port}`, vaultUrl: standIn.vaultUrl }, credentials.clientSecret);
    },
    wrongCredentialsProvider: () => make(standIn, 'azure-wrong-secret-000000'),
    sensitiveStrings: () => [VALUE_A, VALUE_B, VALUE_B_ONLY, credentials.clientSecret, ...standIn.issuedTokens],
    logText: () => logger.text(),
    close: () => standIn.close(),
  };
});

secretProviderContract('conjur', async () => {
  const credentials = { account: 'myorg', login: 'host/mailroom/app', apiKey: '3ahcddy39rcxzh3ggac4cwk3j2r8pqwdg33059y835ys2rh2kzs2a' };
  const standIn = await startConjurStandIn(credentials);
  standIn.setVariable('mailroom/acme/smtp/password', VALUE_A);
  standIn.setVariable('mailroom/acme-eu/smtp/password', VALUE_B);
  standIn.setVariable('mailroom/acme-eu/eu-only', VALUE_B_ONLY);
  const logger = createCaptureLogger();
  const make = (url: string, apiKey: string) => new ConjurSecretProvider({ ...credentials, url, apiKey }, { logger });
  return {
    provider: make(standIn.url, credentials.apiKey),
    ownReference: 'smtp/password',
    ownValue: VALUE_A,
    otherReference: 'smtp/password',
    otherValue: VALUE_B,
    crossCompanyReferences: [...TRAVERSALS, 'eu-only', '../acme-eu/smtp/password', '%2e%2e/acme-eu/smtp/password', 'acme-eu/smtp/password'],
    missingReference: 'relay/password',
    locationsRequested: () => standIn.variableIdsRequested,
    ownLocationPrefix: 'mailroom/acme/',
    otherLocationPrefix: 'mailroom/acme-eu/',
    unreachableProvider: async () => make(`http://127.0.0.1:${await closedLocalPort()}`, credentials.apiKey),
    wrongCredentialsProvider: () => make(standIn.url, 'wrong-api-key-00000000000000'),
    sensitiveStrings: () => [VALUE_A, VALUE_B, VALUE_B_ONLY, credentials.apiKey, ...standIn.issuedTokens],
    logText: () => logger.text(),
    close: () => standIn.close(),
  };
});
