// Which company a request may act for, resolved by reading companies one at a time (never the whole
// list): its own, or for a system admin any company below it, however deep; nothing above or beside.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAppError } from '../../src/core/errors.ts';
import type { ApiKey, Company, Principal, Role, User } from '../../src/core/model.ts';
import { resolveActingCompany } from '../../src/core/tenancy/access-policy.ts';

const T = '2026-01-01T00:00:00.000Z';
const company = (id: string, parentId: string | null): Company => ({
  id, slug: id, name: id, parentId, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'builtin', builtinDelivery: null, fallbackToBuiltin: false, createdAt: T,
});
// root → a → a1 → a1x, and b beside a.
const companies = new Map([company('root', null), company('a', 'root'), company('a1', 'a'), company('a1x', 'a1'), company('b', 'root')].map((c) => [c.id, c]));

function user(companyId: string, role: Role): Principal {
  const u: User = { id: `u-${companyId}`, companyId, email: 'x@example.com', name: 'X', role, passwordHash: '', disabled: false, createdAt: T };
  return { kind: 'user', user: u, company: companies.get(companyId)! };
}
function apiKey(companyId: string): Principal {
  const k: ApiKey = { id: 'k', companyId, name: 'k', prefix: 'mr_', keyHash: '', createdBy: 'x', createdAt: T, lastUsedAt: null, revokedAt: null };
  return { kind: 'api_key', apiKey: k, company: companies.get(companyId)! };
}

describe('acting company', () => {
  let reads = 0;
  const get = async (id: string) => {
    reads++;
    return companies.get(id);
  };
  const resolve = async (principal: Principal, requested: string | null): Promise<string> => {
    try {
      return (await resolveActingCompany(principal, requested, get)).id;
    } catch (err) {
      assert.ok(isAppError(err) && err.code === 'NOT_FOUND', String(err));
      return 'NOT_FOUND';
    }
  };

  it('a system admin acts for its own company and every one below it, not above or beside', async () => {
    const admin = user('a', 'system_admin');
    assert.equal(await resolve(admin, null), 'a');
    assert.equal(await resolve(admin, 'a1'), 'a1');
    assert.equal(await resolve(admin, 'a1x'), 'a1x');
    assert.equal(await resolve(admin, 'root'), 'NOT_FOUND');
    assert.equal(await resolve(admin, 'b'), 'NOT_FOUND');
    assert.equal(await resolve(admin, 'nope'), 'NOT_FOUND');
    assert.equal(await resolve(user('root', 'system_admin'), 'a1x'), 'a1x');
  });

  it('company admins, members and API keys act for their own company only', async () => {
    for (const principal of [user('a', 'company_admin'), user('a', 'member'), apiKey('a')]) {
      assert.equal(await resolve(principal, null), 'a');
      assert.equal(await resolve(principal, 'a'), 'a');
      assert.equal(await resolve(principal, 'a1'), 'NOT_FOUND');
      assert.equal(await resolve(principal, 'root'), 'NOT_FOUND');
    }
  });

  it('the CLI acts for any company it names, and needs a name', async () => {
    assert.equal(await resolve({ kind: 'cli', label: 'cli' }, 'b'), 'b');
    assert.equal(await resolve({ kind: 'cli', label: 'cli' }, null), 'NOT_FOUND');
  });

  it('reads only the companies on the way up, and stops on a loop in the parents', async () => {
    reads = 0;
    assert.equal(await resolve(user('root', 'system_admin'), 'a1x'), 'a1x');
    assert.equal(reads, 3, 'a1x, then its parents a1 and a; root is the admin\'s own');
    reads = 0;
    assert.equal(await resolve(apiKey('a'), null), 'a');
    assert.equal(await resolve(user('a', 'system_admin'), 'a'), 'a');
    assert.equal(reads, 0, 'the principal\'s own company was read when it signed in');
    companies.set('loop1', company('loop1', 'loop2'));
    companies.set('loop2', company('loop2', 'loop1'));
    assert.equal(await resolve(user('root', 'system_admin'), 'loop1'), 'NOT_FOUND');
  });
});
