// A password can be typed (then sealed at rest) or be a reference `scheme:path` into a secret
// manager. This file parses references and dispatches them to the provider of their scheme.
import { AppError } from '../errors.ts';
import type { SecretProvider, SecretScope } from '../ports.ts';

export const SECRET_SCHEMES = ['secret', 'env', 'file', 'vault', 'azure', 'conjur'] as const;

export interface SecretReference {
  scheme: string;
  path: string;
}

export function parseSecretReference(ref: string): SecretReference | null {
  const match = /^([a-z]+):(.+)$/s.exec(ref);
  if (!match || !(SECRET_SCHEMES as readonly string[]).includes(match[1]!)) return null;
  return { scheme: match[1]!, path: match[2]! };
}

export class SecretResolver {
  private readonly providers: Map<string, SecretProvider>;

  constructor(providers: SecretProvider[]) {
    this.providers = new Map(providers.map((p) => [p.scheme, p]));
  }

  /** Schemes this instance can resolve; the UI offers only these. */
  enabledSchemes(): string[] {
    return [...this.providers.keys()];
  }

  /** Syntax and availability, checked at save time so a typo fails on the form, not at send time. */
  check(ref: string): string | null {
    const parsed = parseSecretReference(ref);
    if (!parsed) return `must look like scheme:path with a scheme among ${SECRET_SCHEMES.join(', ')}`;
    if (!this.providers.has(parsed.scheme)) return `"${parsed.scheme}:" references are not enabled on this instance`;
    return null;
  }

  async resolve(ref: string, scope: SecretScope): Promise<string> {
    const problem = this.check(ref);
    if (problem) throw new AppError('SECRET_REFERENCE_INVALID', `Secret reference ${problem}.`);
    const parsed = parseSecretReference(ref)!;
    return this.providers.get(parsed.scheme)!.resolve(parsed.path, scope);
  }
}
