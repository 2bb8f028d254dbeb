// Builds the external secret providers the instance has configured. The composition root reads
// SecretProvidersConfig from the environment with secretProvidersConfigFromEnv and passes the result
// to createSecretProviders; the internal `secret:` provider (sealed, in the database) is built apart.
import path from 'node:path';
import type { Clock, Logger, SecretProvider } from '../../core/ports.ts';
import { AzureKeyVaultSecretProvider, type AzureKeyVaultSecretProviderConfig } from './azure-key-vault-secret-provider.ts';
import { ConjurSecretProvider, type ConjurSecretProviderConfig } from './conjur-secret-provider.ts';
import { EnvSecretProvider } from './env-secret-provider.ts';
import { FileSecretProvider } from './file-secret-provider.ts';
import { VaultSecretProvider, type VaultSecretProviderConfig } from './vault-secret-provider.ts';

export interface SecretProvidersConfig {
  /** `env:` name patterns; empty disables the scheme. */
  envAllow: string[];
  /** `file:` folders; empty disables the scheme. */
  fileDirs: string[];
  /** Folders `file:` never reads, even inside an allowed folder (the data folder with its key file). */
  fileReservedDirs: string[];
  vault: VaultSecretProviderConfig | null;
  azure: AzureKeyVaultSecretProviderConfig | null;
  conjur: ConjurSecretProviderConfig | null;
  /** Deadline for each request to a secret manager. */
  requestTimeoutMs: number;
}

export interface SecretProviderFactoryDeps {
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  logger?: Logger;
  clock?: Clock;
}

/** Every variable secretProvidersConfigFromEnv reads, with what it means, for docs and `--help`. */
export const SECRET_PROVIDER_ENV_VARS = {
  MAILROOM_SECRETS_ENV_ALLOW: 'Comma list of environment variable name patterns `env:` may read; `*` is a wildcard, `{company}` the company slug uppercased (e.g. MAILROOM_SMTP_{company}__*). Empty: `env:` disabled.',
  MAILROOM_SECRETS_FILE_DIRS: 'Comma list of absolute folders `file:` may read; `{company}` as the last segment gives each company its own folder (e.g. /run/secrets/mailroom/{company}). Empty: `file:` disabled.',
  MAILROOM_SECRETS_TIMEOUT_MS: 'Deadline in milliseconds for each request to Vault, Azure Key Vault or Conjur. Default 5000.',
  MAILROOM_VAULT_ADDR: 'HashiCorp Vault address (e.g. https://vault.example.com:8200). Set to enable `vault:`.',
  MAILROOM_VAULT_TOKEN: 'Vault token with read access to {mount}/data/{prefix}/*.',
  MAILROOM_VAULT_MOUNT: 'Mount path of the KV version 2 engine. Default "secret".',
  MAILROOM_VAULT_PREFIX: 'Folder under the mount holding one folder per company slug. Default "mailroom".',
  MAILROOM_VAULT_NAMESPACE: 'Vault Enterprise / HCP namespace (X-Vault-Namespace). Optional.',
  MAILROOM_AZURE_VAULT_URL: 'Azure Key Vault URL (e.g. https://my-vault.vault.azure.net). Set to enable `azure:`.',
  MAILROOM_AZURE_TENANT_ID: 'Microsoft Entra tenant id of the app registration.',
  MAILROOM_AZURE_CLIENT_ID: 'Application (client) id allowed to get secrets.',
  MAILROOM_AZURE_CLIENT_SECRET: 'Client secret of that application.',
  MAILROOM_AZURE_AUTHORITY_HOST: 'Sign-in host. Default https://login.microsoftonline.com (other clouds have their own).',
  MAILROOM_CONJUR_URL: 'CyberArk Conjur appliance URL. Set to enable `conjur:`.',
  MAILROOM_CONJUR_ACCOUNT: 'Conjur account name.',
  MAILROOM_CONJUR_LOGIN: 'Host or user Mailroom authenticates as (e.g. host/mailroom/app).',
  MAILROOM_CONJUR_API_KEY: 'API key of that login.',
  MAILROOM_CONJUR_PREFIX: 'Policy branch holding one branch per company slug. Default "mailroom".',
} as const;

/** Reads the configuration from environment variables; pure apart from resolving the data folder. */
export function secretProvidersConfigFromEnv(env: NodeJS.ProcessEnv): SecretProvidersConfig {
  const value = (name: keyof typeof SECRET_PROVIDER_ENV_VARS): string | undefined => env[name]?.trim() || undefined;
  const requestTimeoutMs = Number(value('MAILROOM_SECRETS_TIMEOUT_MS') ?? 5000);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new Error('invalid configuration: MAILROOM_SECRETS_TIMEOUT_MS must be a positive whole number of milliseconds');
  }

  const vaultAddr = value('MAILROOM_VAULT_ADDR');
  const azureUrl = value('MAILROOM_AZURE_VAULT_URL');
  const conjurUrl = value('MAILROOM_CONJUR_URL');
  return {
    envAllow: list(env.MAILROOM_SECRETS_ENV_ALLOW),
    fileDirs: list(env.MAILROOM_SECRETS_FILE_DIRS),
    // The data folder holds the sealing key file; it must never be readable as somebody's password.
    fileReservedDirs: [path.resolve(env.MAILROOM_DATA_DIR || './data')],
    vault: vaultAddr
      ? {
          addr: vaultAddr,
          token: required(value('MAILROOM_VAULT_TOKEN'), 'MAILROOM_VAULT_TOKEN', 'MAILROOM_VAULT_ADDR'),
          mount: value('MAILROOM_VAULT_MOUNT'),
          prefix: value('MAILROOM_VAULT_PREFIX'),
          namespace: value('MAILROOM_VAULT_NAMESPACE'),
          timeoutMs: requestTimeoutMs,
        }
      : null,
    azure: azureUrl
      ? {
          vaultUrl: azureUrl,
          tenantId: required(value('MAILROOM_AZURE_TENANT_ID'), 'MAILROOM_AZURE_TENANT_ID', 'MAILROOM_AZURE_VAULT_URL'),
          clientId: required(value('MAILROOM_AZURE_CLIENT_ID'), 'MAILROOM_AZURE_CLIENT_ID', 'MAILROOM_AZURE_VAULT_URL'),
          clientSecret: required(value('MAILROOM_AZURE_CLIENT_SECRET'), 'MAILROOM_AZURE_CLIENT_SECRET', 'MAILROOM_AZURE_VAULT_URL'),
          authorityHost: value('MAILROOM_AZURE_AUTHORITY_HOST'),
          timeoutMs: requestTimeoutMs,
        }
      : null,
    conjur: conjurUrl
      ? {
          url: conjurUrl,
          account: required(value('MAILROOM_CONJUR_ACCOUNT'), 'MAILROOM_CONJUR_ACCOUNT', 'MAILROOM_CONJUR_URL'),
          login: required(value('MAILROOM_CONJUR_LOGIN'), 'MAILROOM_CONJUR_LOGIN', 'MAILROOM_CONJUR_URL'),
          apiKey: required(value('MAILROOM_CONJUR_API_KEY'), 'MAILROOM_CONJUR_API_KEY', 'MAILROOM_CONJUR_URL'),
          prefix: value('MAILROOM_CONJUR_PREFIX'),
          timeoutMs: requestTimeoutMs,
        }
      : null,
    requestTimeoutMs,
  };
}

/** Every scheme this module can provide, enabled or not, so the core can tell "not enabled here" from "unknown". */
export const EXTERNAL_SECRET_SCHEMES = ['env', 'file', 'vault', 'azure', 'conjur'] as const;

/** The external providers this instance has enabled, each at most once; none when nothing is configured. */
export function createSecretProviders(config: SecretProvidersConfig, deps: SecretProviderFactoryDeps = {}): SecretProvider[] {
  const clock = deps.clock;
  const httpDeps = { fetch: deps.fetch, logger: deps.logger, now: clock ? () => clock.now().getTime() : undefined };
  const providers: SecretProvider[] = [];
  if (config.envAllow.length > 0) providers.push(new EnvSecretProvider({ allow: config.envAllow }, deps.env ?? process.env));
  if (config.fileDirs.length > 0) providers.push(new FileSecretProvider({ dirs: config.fileDirs, reservedDirs: config.fileReservedDirs }));
  if (config.vault) providers.push(new VaultSecretProvider({ timeoutMs: config.requestTimeoutMs, ...config.vault }, httpDeps));
  if (config.azure) providers.push(new AzureKeyVaultSecretProvider({ timeoutMs: config.requestTimeoutMs, ...config.azure }, httpDeps));
  if (config.conjur) providers.push(new ConjurSecretProvider({ timeoutMs: config.requestTimeoutMs, ...config.conjur }, httpDeps));
  return providers;
}

function list(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function required(found: string | undefined, name: string, enabledBy: string): string {
  if (!found) throw new Error(`invalid configuration: ${name} is required when ${enabledBy} is set`);
  return found;
}
