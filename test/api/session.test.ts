// First run, sign-in, CSRF, sign-out, API keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, ApiClient, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';

describe('setup and session', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(() => t.close());

  it('asks for the first administrator until one exists, then never again', async () => {
    const anon = new ApiClient(t.url);
    assert.deepEqual((await anon.get('/setup')).body, { needsSetup: true });
    const weak = await anon.post('/setup', { companyName: 'Acme', name: 'A', email: 'bad', password: 'short' });
    assert.equal(weak.status, 400);
    assert.deepEqual(weak.body.error.fields.map((f: any) => f.field).sort(), ['email', 'password']);
    await setupRoot(t.url);
    assert.deepEqual((await anon.get('/setup')).body, { needsSetup: false });
    const again = await anon.post('/setup', { companyName: 'Evil', name: 'E', email: 'evil@x.example', password: 'long-enough-pw' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'SETUP_ALREADY_DONE');
  });

  it('signs in with the right password only, with one message for both wrong cases', async () => {
    const c = new ApiClient(t.url);
    const wrong = await c.signIn('root@acme.example', 'wrong-password');
    const unknown = await c.signIn('nobody@acme.example', 'wrong-password');
    assert.equal(wrong.status, 401);
    assert.deepEqual([wrong.body.error.code, wrong.body.error.message], [unknown.body.error.code, unknown.body.error.message]);
    const ok = await c.signIn('ROOT@acme.example', ADMIN_PASSWORD);
    assert.equal(ok.status, 200);
    const cookie = ok.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.equal((await c.get('/session')).body.user.email, 'root@acme.example');
  });

  it('refuses unsafe requests that carry the cookie but not the CSRF token', async () => {
    const c = new ApiClient(t.url);
    await c.signIn('root@acme.example', ADMIN_PASSWORD);
    const forged = await c.withoutCsrf().post('/api-keys', { name: 'forged' });
    assert.equal(forged.status, 403);
    assert.equal(forged.body.error.code, 'CSRF_FAILED');
    assert.equal((await c.post('/api-keys', { name: 'real' })).status, 201);
  });

  it('signs out: the old cookie no longer works', async () => {
    const c = new ApiClient(t.url);
    await c.signIn('root@acme.example', ADMIN_PASSWORD);
    const stolen = c.withoutCsrf();
    assert.equal((await c.delete('/session')).status, 204);
    assert.equal((await stolen.get('/session')).status, 401);
  });

  it('an API key works until it is revoked, and is shown only once', async () => {
    const admin = new ApiClient(t.url);
    await admin.signIn('root@acme.example', ADMIN_PASSWORD);
    const created = await admin.post('/api-keys', { name: 'crm' });
    const key = created.body.key as string;
    assert.match(key, /^mr_/);
    const listed = await admin.get('/api-keys');
    assert.ok(!listed.text.includes(key));
    const host = ApiClient.withApiKey(t.url, key);
    assert.equal((await host.get('/mail-servers')).status, 200);
    assert.equal((await admin.delete(`/api-keys/${created.body.apiKey.id}`)).status, 204);
    const revoked = await host.get('/mail-servers');
    assert.equal(revoked.status, 401);
    assert.equal((await ApiClient.withApiKey(t.url, 'mr_not-a-key').get('/mail-servers')).status, 401);
  });

  it('reports health and readiness', async () => {
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    const ready = await fetch(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ok', database: 'ok' });
  });
});

describe('personal settings', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(() => t.close());

  it('lets a member change their own name and password, and signs out their other sessions', async () => {
    const root = await setupRoot(t.url);
    assert.equal((await root.post('/users', { email: 'm@acme.example', name: 'Member', role: 'member', password: 'member-password-1' })).status, 201);
    const laptop = new ApiClient(t.url);
    const phone = new ApiClient(t.url);
    await laptop.signIn('m@acme.example', 'member-password-1');
    await phone.signIn('m@acme.example', 'member-password-1');
    assert.equal((await laptop.patch('/me', { name: 'Mia Member' })).body.name, 'Mia Member');
    const wrong = await laptop.patch('/me', { currentPassword: 'nope', newPassword: 'member-password-2' });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error.fields[0].field, 'currentPassword');
    assert.equal((await laptop.patch('/me', { currentPassword: 'member-password-1', newPassword: 'member-password-2' })).status, 200);
    assert.equal((await laptop.get('/me')).status, 200, 'this session stays signed in');
    assert.equal((await phone.get('/me')).status, 401, 'the other session is signed out');
    assert.equal((await new ApiClient(t.url).signIn('m@acme.example', 'member-password-2')).status, 200);
    assert.equal((await laptop.patch('/me', { role: 'system_admin' })).status, 400, 'no way to change one\'s own role');
    const audit = (await root.get('/audit-log?targetType=user')).body.items;
    assert.ok(audit.some((e: any) => e.action === 'user.updated_self' && e.details.passwordChanged === true));
    assert.ok(!JSON.stringify(audit).includes('member-password'));
  });
});
