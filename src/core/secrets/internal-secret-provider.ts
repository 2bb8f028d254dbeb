// `secret:NAME` — the internal secret manager: named secrets per company, sealed in the database.
// The lookup is keyed by the caller's company id, so a name can never reach another company.
import { AppError } from '../errors.ts';
import type { Sealer, SecretProvider, SecretStore } from '../ports.ts';

export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function internalSecretProvider(secrets: SecretStore, sealer: Sealer): SecretProvider {
  return {
    scheme: 'secret',
    async resolve(name, scope) {
      if (!SECRET_NAME.test(name)) throw new AppError('SECRET_REFERENCE_INVALID', `"${name}" is not a valid secret name.`);
      const secret = await secrets.get(scope.companyId, name);
      if (!secret) throw new AppError('SECRET_UNRESOLVED', `No secret named "${name}" in this company's secrets.`);
      return sealer.open(secret.valueSealed);
    },
  };
}
