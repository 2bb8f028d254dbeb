// The contract every SecretProvider keeps, run over each implementation by
// secret-providers-contract.test.ts. The two companies are chosen so that one slug is a prefix of the
// other ("acme" and "acme-eu"): a scoping scheme that merely concatenates would let the first reach the
// second, and these tests would catch it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { isAppError } from '../../src/core/errors.ts';
import type { SecretProvider, SecretScope } from '../../src/core/ports.ts';

export const COMPANY_A: SecretScope = { companyId: '00000000-0000-4000-8000-00000000000a', companySlug: 'acme' };
export const COMPANY_B: SecretScope = { companyId: '00000000-0000-4000-8000-00000000000b', companySlug: 'acme-eu' };

/** Refused references and manager failures must come out as one of these, never as a plain Error. */
const ACCEPTABLE_REFUSALS = ['SECRET_REFERENCE_INVALID', 'SECRET_UNRESOLVED'];
/** Connection refused on loopback is immediate; this only has to be well below the 5 s timeout. */
const UNREACHABLE_FAILS_WITHIN_MS = 2_000;

export interface SecretProviderContractFixture {
  provider: SecretProvider;
  /** Company A's reference and the value it holds. */
  ownReference: string;
  ownValue: string;
  /** Company B's reference (resolved as B) and value — proves B's secret is there to be reached. */
  otherReference: string;
  otherValue: string;
  /** References with which company A tries to reach B's secrets. */
  crossCompanyReferences: string[];
  /** A well-formed reference of company A's that holds nothing. */
  missingReference: string;
  /** Where the manager (or the environment) was asked to read, when it can tell. */
  locationsRequested?: () => string[];
  ownLocationPrefix?: string;
  otherLocationPrefix?: string;
  /** The same provider pointed at a closed port. */
  unreachableProvider?: () => Promise<SecretProvider>;
  /** The same provider with a wrong token, client secret or API key. */
  wrongCredentialsProvider?: () => SecretProvider;
  /** Values, tokens and keys that must never appear in an error or a log entry. */
  sensitiveStrings: () => string[];
  logText: () => string;
  close(): Promise<void>;
}

export function secretProviderContract(name: string, setup: () => Promise<SecretProviderContractFixture>): void {
  describe(`${name}: SecretProvider contract`, () => {
    let fixture: SecretProviderContractFixture;
    const failures: unknown[] = [];

    /** Resolves, expecting a refusal with one of `codes`; keeps the error for the leak check. */
    async function expectRefusal(provider: SecretProvider, reference: string, scope: SecretScope, codes: string[]): Promise<Error> {
      let outcome: string | undefined;
      try {
        outcome = await provider.resolve(reference, scope);
      } catch (err) {
        failures.push(err);
        assert.ok(isAppError(err), `expected an AppError for ${JSON.stringify(reference)}, got ${inspect(err)}`);
        assert.ok(codes.includes(err.code), `expected ${codes.join(' or ')} for ${JSON.stringify(reference)}, got ${err.code}: ${err.message}`);
        return err;
      }
      assert.fail(`${JSON.stringify(reference)} resolved for ${scope.companySlug} (to ${outcome === fixture.otherValue ? "the other company's value" : 'a value'})`);
    }

    before(async () => {
      fixture = await setup();
    });
    after(async () => {
      await fixture?.close();
    });

    it("resolves the company's own secret", async () => {
      assert.equal(await fixture.provider.resolve(fixture.ownReference, COMPANY_A), fixture.ownValue);
      assert.equal(await fixture.provider.resolve(fixture.otherReference, COMPANY_B), fixture.otherValue);
      if (fixture.locationsRequested && fixture.ownLocationPrefix) {
        const prefix = fixture.ownLocationPrefix;
        assert.ok(fixture.locationsRequested().some((l) => l.startsWith(prefix)), 'the location recorder saw the own read');
      }
    });

    it("cannot reach another company's secret", async () => {
      const countBefore = fixture.locationsRequested?.().length ?? 0;
      for (const reference of fixture.crossCompanyReferences) {
        const err = await expectRefusal(fixture.provider, reference, COMPANY_A, ACCEPTABLE_REFUSALS);
        assert.ok(!err.message.includes(fixture.otherValue));
      }
      if (fixture.locationsRequested && fixture.otherLocationPrefix) {
        const prefix = fixture.otherLocationPrefix;
        const asked = fixture.locationsRequested().slice(countBefore);
        assert.deepEqual(asked.filter((l) => l.startsWith(prefix)), [], "the other company's location was asked for");
      }
    });

    it('answers SECRET_UNRESOLVED, naming the reference, for a secret that does not exist', async () => {
      const err = await expectRefusal(fixture.provider, fixture.missingReference, COMPANY_A, ['SECRET_UNRESOLVED']);
      assert.ok(err.message.includes(JSON.stringify(`${fixture.provider.scheme}:${fixture.missingReference}`)), err.message);
    });

    it('answers SECRET_UNRESOLVED quickly when the manager is down', async (t) => {
      if (!fixture.unreachableProvider) return t.skip('no remote manager');
      const provider = await fixture.unreachableProvider();
      const startedMs = performance.now();
      const err = await expectRefusal(provider, fixture.ownReference, COMPANY_A, ['SECRET_UNRESOLVED']);
      assert.ok(performance.now() - startedMs < UNREACHABLE_FAILS_WITHIN_MS, 'took too long');
      assert.match(err.message, /could not be reached/);
    });

    it('answers SECRET_UNRESOLVED when its credentials are wrong', async (t) => {
      if (!fixture.wrongCredentialsProvider) return t.skip('no credentials');
      await expectRefusal(fixture.wrongCredentialsProvider(), fixture.ownReference, COMPANY_A, ['SECRET_UNRESOLVED']);
    });

    // Runs last: it inspects every error the tests above collected.
    it('puts no secret value, token or key in any error or log entry', () => {
      assert.ok(failures.length > 0);
      const sensitive = fixture.sensitiveStrings().filter((s) => s.length >= 8);
      assert.ok(sensitive.length > 0);
      for (const err of failures) {
        // inspect shows the message, stack, own properties and the whole cause chain.
        const shown = [inspect(err, { depth: 10, showHidden: true }), JSON.stringify(err), String(err)].join('\n');
        for (const secret of sensitive) {
          assert.ok(!shown.includes(secret), `an error shows a sensitive string: ${(err as Error).message}`);
        }
      }
      const logs = fixture.logText();
      for (const secret of sensitive) assert.ok(!logs.includes(secret), 'a log entry holds a sensitive string');
    });
  });
}
