// `env:NAME` — a secret read from the process environment, only where the instance allows it.
//
// Scoping. The operator lists allowed names as patterns; `*` matches letters, digits and "_", and
// `{company}` stands for the resolving company's slug uppercased with every other character turned into
// "_" ("acme-eu" → "ACME_EU"). A pattern with `{company}` gives each company only its own names. A
// pattern without `{company}` is an instance-wide allowance: every company on the instance may read
// every name it matches. That is a deliberate operator choice (one relay password shared by all
// tenants, say) and is documented as such in docs/secrets.md.
//
// A pattern such as `MAILROOM_SMTP_{company}_*` is ambiguous for company "acme" and the name
// `MAILROOM_SMTP_ACME_EU_PASSWORD`: it also matches company "acme-eu". Such a name is refused for both,
// so one company can never read a name another company's pattern also covers; a double underscore
// after `{company}` (`MAILROOM_SMTP_{company}__*`) avoids the ambiguity, because slugs never give "__".
import type { SecretProvider, SecretScope } from '../../core/ports.ts';
import { invalidReference, scopeSlug, unresolvedReference } from './secret-reference-rules.ts';

export interface EnvSecretProviderConfig {
  /** Allowed name patterns. Empty: the scheme is disabled. */
  allow: string[];
  /** Extra names or patterns never readable, on top of PROTECTED_ENV_VAR_PATTERNS. */
  deny?: string[];
}

/**
 * Names Mailroom reads for its own credentials. A tenant that could reference them could make Mailroom
 * send the sealing key or a manager token to the tenant's own SMTP server as a password, so they stay
 * unreadable even when an over-broad allow pattern covers them.
 */
export const PROTECTED_ENV_VAR_PATTERNS: readonly string[] = [
  'MAILROOM_SECRET_KEY*',
  'MAILROOM_DATABASE_URL',
  'MAILROOM_SECRETS_*',
  'MAILROOM_VAULT_*',
  'MAILROOM_AZURE_*',
  'MAILROOM_CONJUR_*',
  'PGPASSWORD',
];

const COMPANY_PLACEHOLDER = '{company}';
const PATTERN_SHAPE = /^(?:[A-Za-z0-9_*]|\{company\})+$/;
const NAME_SHAPE = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
/** What `{company}` can stand for: the encoding of a valid slug (see COMPANY_SLUG_PATTERN). */
const COMPANY_TOKEN_SHAPE = /^[A-Z0-9]+(?:_[A-Z0-9]+)*$/;
const TOKEN_CHARACTER = /[A-Z0-9_]/;

type CompiledPattern =
  | { kind: 'instance-wide'; whole: RegExp }
  | { kind: 'per-company'; before: RegExp; after: RegExp };

/** The value `{company}` takes for a slug. */
export function companyEnvToken(companySlug: string): string {
  return companySlug.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

export class EnvSecretProvider implements SecretProvider {
  readonly scheme = 'env';
  readonly #allow: CompiledPattern[];
  readonly #deny: RegExp[];
  readonly #env: NodeJS.ProcessEnv;

  constructor(config: EnvSecretProviderConfig, env: NodeJS.ProcessEnv = process.env) {
    this.#allow = config.allow.map((pattern) => compilePattern(pattern));
    this.#deny = [...PROTECTED_ENV_VAR_PATTERNS, ...(config.deny ?? [])].map((pattern) => {
      const compiled = compilePattern(pattern);
      if (compiled.kind !== 'instance-wide') throw new Error(`invalid configuration: deny pattern "${pattern}" may not use {company}`);
      return compiled.whole;
    });
    this.#env = env;
  }

  async resolve(path: string, scope: SecretScope): Promise<string> {
    if (this.#allow.length === 0) {
      throw invalidReference(this.scheme, path, 'cannot be used: env references are not enabled on this instance');
    }
    if (!NAME_SHAPE.test(path)) {
      throw invalidReference(this.scheme, path, 'is not an environment variable name (letters, digits and "_", not starting with a digit)');
    }
    const token = companyEnvToken(scopeSlug(this.scheme, path, scope));
    if (this.#deny.some((re) => re.test(path))) {
      throw invalidReference(this.scheme, path, 'names a variable Mailroom keeps for its own credentials');
    }

    let ambiguous = false;
    let allowed = false;
    for (const pattern of this.#allow) {
      if (pattern.kind === 'instance-wide') {
        if (pattern.whole.test(path)) allowed = true;
        continue;
      }
      const tokens = companyTokensMatching(pattern, path);
      if (tokens.has(token)) {
        if (tokens.size === 1) allowed = true;
        else ambiguous = true;
      }
    }
    if (!allowed && ambiguous) {
      throw invalidReference(this.scheme, path, 'matches an allowed pattern for more than one company, so it is refused; ask the operator for a pattern with "__" after {company}');
    }
    if (!allowed) {
      throw invalidReference(this.scheme, path, 'is not an environment variable this instance allows for this company');
    }

    // Read only after every check, so a refused name is never even looked up.
    const value = this.#env[path];
    if (value === undefined) throw unresolvedReference(this.scheme, path, 'could not be resolved: the variable is not set');
    if (value === '') throw unresolvedReference(this.scheme, path, 'could not be resolved: the variable is empty');
    return value;
  }
}

function compilePattern(pattern: string): CompiledPattern {
  if (!PATTERN_SHAPE.test(pattern)) {
    throw new Error(`invalid configuration: env pattern "${pattern}" may only use letters, digits, "_", "*" and {company}`);
  }
  const placeholders = pattern.split(COMPANY_PLACEHOLDER).length - 1;
  if (placeholders > 1) throw new Error(`invalid configuration: env pattern "${pattern}" may use {company} only once`);
  if (pattern.startsWith('*') || pattern.startsWith(COMPANY_PLACEHOLDER)) {
    // Without a fixed prefix, "*" would hand every tenant every variable of the process (cloud keys,
    // database URLs), and "{company}_*" would let a company whose slug is "aws" read AWS_SECRET_ACCESS_KEY.
    throw new Error(`invalid configuration: env pattern "${pattern}" must start with a fixed prefix such as MAILROOM_SMTP_`);
  }
  if (placeholders === 0) return { kind: 'instance-wide', whole: wildcardRegExp(pattern) };
  const [before, after] = pattern.split(COMPANY_PLACEHOLDER) as [string, string];
  return { kind: 'per-company', before: wildcardRegExp(before), after: wildcardRegExp(after) };
}

function wildcardRegExp(pattern: string): RegExp {
  // The pattern shape leaves no regular-expression metacharacter except "*".
  return new RegExp(`^${pattern.replace(/\*/g, '[A-Za-z0-9_]*')}$`);
}

/**
 * Every company token for which `name` matches the pattern. A name is split as
 * before-part + token + after-part in every possible way; names are at most 256 characters, so the
 * quadratic walk is cheap, and it is exact where a single regular-expression match would pick one.
 */
function companyTokensMatching(pattern: { before: RegExp; after: RegExp }, name: string): Set<string> {
  const tokens = new Set<string>();
  for (let start = 0; start < name.length; start++) {
    if (!pattern.before.test(name.slice(0, start))) continue;
    for (let end = start + 1; end <= name.length; end++) {
      if (!TOKEN_CHARACTER.test(name[end - 1] as string)) break;
      const candidate = name.slice(start, end);
      if (COMPANY_TOKEN_SHAPE.test(candidate) && pattern.after.test(name.slice(end))) tokens.add(candidate);
    }
  }
  return tokens;
}
