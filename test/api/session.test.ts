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
