// One row per role × resource × action, including every refusal and the cross-company cases:
// company A can neither read, edit, use nor reference company B's servers and secrets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { BACKENDS } from '../support/test-databases.ts';

type ActorName = 'root' | 'rootForA' | 'adminA' | 'memberA' | 'keyA' | 'adminB' | 'keyB' | 'anonymous' | 'adminAForgedCsrf' | 'adminAAsB';
type Target = 'serverA' | 'serverB' | 'sharedRootToA' | 'none';

interface Row {
  actor: ActorName;
  action: string;
  target: Target;
  expect: number;
  /** Extra check on the answer. */
  check?: (body: any) => void;
}

interface World {
  companyA: string;
  companyB: string;
  clients: Record<ActorName, ApiClient>;
  /** Creates a fresh server owned by the target's company; returns its id. */
  makeTarget(t: Target): Promise<string>;
}

async function buildWorld(t: TestApp): Promise<World> {
  const root = await setupRoot(t.url);
  const a = (await root.post('/companies', { name: 'Child A', slug: 'child-a' })).body;
  const b = (await root.post('/companies', { name: 'Child B', slug: 'child-b' })).body;
  const addUser = async (company: string, email: string, role: string) => {
    root.company = company;
    const res = await root.post('/users', { email, name: email.split('@')[0], role, password: 'user-password-123' });
    assert.equal(res.status, 201, res.text);
    root.company = null;
    const c = new ApiClient(t.url);
    assert.equal((await c.signIn(email, 'user-password-123')).status, 200);
    return c;
  };
  const adminA = await addUser(a.id, 'admin@a.example', 'company_admin');
  const memberA = await addUser(a.id, 'member@a.example', 'member');
  const adminB = await addUser(b.id, 'admin@b.example', 'company_admin');
  const keyFor = async (admin: ApiClient) => ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'host app' })).body.key);
  const rootForA = await (async () => { const c = new ApiClient(t.url); await c.signIn('root@acme.example', 'root-admin-password-1'); c.company = a.id; return c; })();
  const adminAAsB = await (async () => { const c = new ApiClient(t.url); await c.signIn('admin@a.example', 'user-password-123'); c.company = b.id; return c; })();
  const clients: Record<ActorName, ApiClient> = {
    root, rootForA, adminA, memberA, adminB, keyA: await keyFor(adminA), keyB: await keyFor(adminB),
    anonymous: new ApiClient(t.url), adminAForgedCsrf: adminA.withoutCsrf(), adminAAsB,
  };
  // The owner of each kind of target, acting through the root admin.
  const owner = new ApiClient(t.url);
  await owner.signIn('root@acme.example', 'root-admin-password-1');
  let n = 0;
  return {
    companyA: a.id, companyB: b.id, clients,
    async makeTarget(target) {
      n++;
      if (target === 'none') return '';
      owner.company = target === 'serverA' ? a.id : target === 'serverB' ? b.id : null;
      const extra = target === 'sharedRootToA' ? { sharedWith: [a.id] } : {};
      const res = await owner.post('/mail-servers', serverInput({ name: `${target} ${n}`, ...extra }));
      assert.equal(res.status, 201, res.text);
      // A second active server so the target is never the only candidate for default.
      await owner.post('/mail-servers', serverInput({ name: `spare ${n}` }));
      return res.body.id;
    },
  };
}

const ACTIONS: Record<string, (c: ApiClient, id: string) => Promise<{ status: number; body: any }>> = {
  get: (c, id) => c.get(`/mail-servers/${id}`),
  patch: (c, id) => c.patch(`/mail-servers/${id}`, { fromName: 'Changed' }),
  delete: (c, id) => c.delete(`/mail-servers/${id}?replacementId=none`),
  duplicate: (c, id) => c.post(`/mail-servers/${id}/duplicate`),
  setDefault: (c, id) => c.post(`/mail-servers/${id}/default`),
  versions: (c, id) => c.get(`/mail-servers/${id}/versions`),
  rollback: (c, id) => c.post(`/mail-servers/${id}/versions/1/rollback`),
  create: (c) => c.post('/mail-servers', serverInput()),
  list: (c) => c.get('/mail-servers'),
  listSecrets: (c) => c.get('/secrets'),
  putSecret: (c) => c.put('/secrets/smtp-pass', { value: 'secret-value-1' }),
  listApiKeys: (c) => c.get('/api-keys'),
  createApiKey: (c) => c.post('/api-keys', { name: 'k' }),
  auditLog: (c) => c.get('/audit-log'),
  listUsers: (c) => c.get('/users'),
  createCompany: (c) => c.post('/companies', { name: 'Another', slug: `another-${Math.random().toString(36).slice(2, 8)}` }),
  createSystemAdmin: (c) => c.post('/users', { email: `sys${Math.random().toString(36).slice(2, 8)}@x.example`, name: 'S', role: 'system_admin', password: 'user-password-123' }),
  shareWithB: (c, _id) => c.post('/mail-servers', serverInput({ sharedWith: ['__B__'] })),
};

const ROWS: Row[] = [
  // Own company's server: admins and API keys may do everything.
  ...['get', 'patch', 'duplicate', 'setDefault', 'versions', 'rollback', 'delete'].flatMap((action): Row[] => [
    { actor: 'adminA', action, target: 'serverA', expect: action === 'delete' ? 204 : action === 'duplicate' ? 201 : 200 },
    { actor: 'keyA', action, target: 'serverA', expect: action === 'delete' ? 204 : action === 'duplicate' ? 201 : 200 },
    { actor: 'rootForA', action, target: 'serverA', expect: action === 'delete' ? 204 : action === 'duplicate' ? 201 : 200 },
    // Members only manage their own personal settings.
    { actor: 'memberA', action, target: 'serverA', expect: 403 },
    // Another company's server is absent, whatever the action.
    { actor: 'adminB', action, target: 'serverA', expect: 404 },
    { actor: 'keyB', action, target: 'serverA', expect: 404 },
    { actor: 'adminA', action, target: 'serverB', expect: 404 },
    { actor: 'keyA', action, target: 'serverB', expect: 404 },
    // A company admin cannot act for a sibling company by naming it.
    { actor: 'adminAAsB', action, target: 'serverB', expect: 404 },
    // The root system admin acting as root does not see a child's server as its own.
    { actor: 'root', action, target: 'serverA', expect: 404 },
    { actor: 'anonymous', action, target: 'serverA', expect: 401 },
  ]),
  // The cookie without the CSRF header never changes anything.
  ...['patch', 'duplicate', 'setDefault', 'rollback', 'delete'].map((action): Row => ({ actor: 'adminAForgedCsrf', action, target: 'serverA', expect: 403 })),
  { actor: 'adminAForgedCsrf', action: 'get', target: 'serverA', expect: 200 },
  // A server shared down by the parent: visible and usable as default, not editable.
  { actor: 'adminA', action: 'get', target: 'sharedRootToA', expect: 200, check: (b) => assert.equal(b.owned, false) },
  { actor: 'adminA', action: 'setDefault', target: 'sharedRootToA', expect: 200 },
  { actor: 'adminA', action: 'patch', target: 'sharedRootToA', expect: 403 },
  { actor: 'adminA', action: 'delete', target: 'sharedRootToA', expect: 403 },
  { actor: 'adminA', action: 'versions', target: 'sharedRootToA', expect: 403 },
  { actor: 'adminB', action: 'get', target: 'sharedRootToA', expect: 404 },
  { actor: 'keyB', action: 'get', target: 'sharedRootToA', expect: 404 },
  // Company-level resources.
  ...(['create', 'list', 'listSecrets', 'putSecret', 'listApiKeys', 'createApiKey', 'auditLog', 'listUsers'] as const).flatMap((action): Row[] => [
    { actor: 'adminA', action, target: 'none', expect: action.startsWith('create') ? 201 : 200 },
    { actor: 'memberA', action, target: 'none', expect: 403 },
    { actor: 'anonymous', action, target: 'none', expect: 401 },
  ]),
  { actor: 'keyA', action: 'create', target: 'none', expect: 201 },
  { actor: 'keyA', action: 'list', target: 'none', expect: 200 },
  { actor: 'keyA', action: 'putSecret', target: 'none', expect: 200 },
  { actor: 'root', action: 'createCompany', target: 'none', expect: 201 },
  { actor: 'adminA', action: 'createCompany', target: 'none', expect: 403 },
  { actor: 'keyA', action: 'createCompany', target: 'none', expect: 403 },
  { actor: 'memberA', action: 'createCompany', target: 'none', expect: 403 },
  { actor: 'adminA', action: 'createSystemAdmin', target: 'none', expect: 403 },
  { actor: 'keyA', action: 'createSystemAdmin', target: 'none', expect: 403 },
  { actor: 'root', action: 'createSystemAdmin', target: 'none', expect: 201 },
  // "Make available for" is for system admins, and only towards companies below.
  { actor: 'adminA', action: 'shareWithB', target: 'none', expect: 400, check: (b) => assert.equal(b.error.fields[0].rule, 'system_admin_only') },
  { actor: 'rootForA', action: 'shareWithB', target: 'none', expect: 400, check: (b) => assert.equal(b.error.fields[0].rule, 'child_company') },
  { actor: 'root', action: 'shareWithB', target: 'none', expect: 201 },
];

for (const backend of BACKENDS) {
  describe(`access matrix (${backend})`, () => {
    let t: TestApp;
    let world: World;
    before(async () => {
      t = await startTestApp({ backend });
      world = await buildWorld(t);
    });
    after(() => t.close());

    for (const row of ROWS) {
      it(`${row.actor} ${row.action} ${row.target} → ${row.expect}`, async () => {
        const id = await world.makeTarget(row.target);
        const run = row.action === 'shareWithB'
          ? (c: ApiClient) => c.post('/mail-servers', serverInput({ sharedWith: [world.companyB] }))
          : ACTIONS[row.action]!;
        const res = await run(world.clients[row.actor], id);
        assert.equal(res.status, row.expect, JSON.stringify(res.body));
        if (res.status >= 400) assert.ok(res.body.error.code, 'every refusal carries a stable code');
        row.check?.(res.body);
      });
    }

    it('lists only what each company may see', async () => {
      const idA = await world.makeTarget('serverA');
      const idB = await world.makeTarget('serverB');
      const shared = await world.makeTarget('sharedRootToA');
      const seenByA = (await world.clients.adminA.get('/mail-servers')).body.items.map((s: any) => s.id);
      const seenByB = (await world.clients.keyB.get('/mail-servers')).body.items.map((s: any) => s.id);
      assert.ok(seenByA.includes(idA) && seenByA.includes(shared));
      assert.ok(!seenByA.includes(idB));
      assert.ok(seenByB.includes(idB) && !seenByB.includes(idA) && !seenByB.includes(shared));
    });

    it('company B cannot reference company A\'s internal secret', async () => {
      assert.equal((await world.clients.adminA.put('/secrets/only-in-a', { value: 'a-secret-value' })).status, 200);
      const res = await world.clients.adminB.post('/mail-servers', serverInput({ password: null, passwordRef: 'secret:only-in-a' }));
      assert.equal(res.status, 400);
      assert.equal(res.body.error.fields[0].field, 'passwordRef');
      assert.equal(res.body.error.fields[0].rule, 'secret_exists');
      const own = await world.clients.adminA.post('/mail-servers', serverInput({ password: null, passwordRef: 'secret:only-in-a' }));
      assert.equal(own.status, 201, own.text);
      assert.equal(own.body.passwordSource, 'reference');
    });

    it('company B cannot delete or see company A\'s secrets', async () => {
      await world.clients.adminA.put('/secrets/a-only-2', { value: 'another-a-secret' });
      const names = (await world.clients.adminB.get('/secrets')).body.items.map((s: any) => s.name);
      assert.ok(!names.includes('a-only-2'));
      assert.equal((await world.clients.adminB.delete('/secrets/a-only-2')).status, 404);
      assert.equal((await world.clients.adminA.delete('/secrets/a-only-2')).status, 204);
    });

    it('an API key of company B cannot revoke company A\'s key', async () => {
      const keys = (await world.clients.adminA.get('/api-keys')).body.items;
      assert.equal((await world.clients.keyB.delete(`/api-keys/${keys[0].id}`)).status, 404);
    });
  });
}
