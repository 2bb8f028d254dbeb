// Mail server behaviour through the API: presets, validation, the write-only password and its
// clearing rule, history and rollback, the default rule, duplicate.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';

describe('mail servers API', () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await startTestApp();
    api = await setupRoot(t.url);
  });
  after(() => t.close());

  const sealedPasswordOf = async (id: string) => (await t.app.services.store.mailServers.get(id))!.passwordSealed;
  const openPasswordOf = async (id: string) => {
    const s = (await t.app.services.store.mailServers.get(id))!;
    return t.app.services.mailServers.resolvePassword(s, (await t.app.services.store.companies.get(s.companyId))!);
  };

  it('offers at least 12 provider presets plus custom', async () => {
    const { body } = await api.get('/mail-server-presets');
    assert.ok(body.items.length >= 13);
    assert.ok(body.items.some((p: any) => p.id === 'custom'));
    const google = body.items.find((p: any) => p.id === 'google');
    assert.deepEqual([google.host, google.port, google.security], ['smtp.gmail.com', 587, 'starttls']);
  });

  it('fills host, port, security and mechanism from a preset', async () => {
    const res = await api.post('/mail-servers', { name: 'SES', preset: 'amazon-ses', username: 'AKIA', password: 'ses-pass-1', fromAddress: 'a@example.com' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.host, 'email-smtp.us-east-1.amazonaws.com');
    assert.equal(res.body.port, 587);
    assert.equal(res.body.authMechanism, 'login');
    assert.equal(res.body.hasPassword, true);
    assert.equal(res.body.password, undefined);
  });

  it('makes the first server the company default', async () => {
    const company = (await api.get('/session')).body.company;
    assert.ok(company.defaultMailServerId);
  });

  it('names each invalid field and its rule, and stores nothing', async () => {
    const before = (await api.get('/mail-servers')).body.items.length;
    const res = await api.post('/mail-servers', serverInput({ host: 'https://smtp.x.com', port: 0, fromAddress: 'not an address', replyTo: 'a@b@c', bcc: ['x@y.example\r\nBcc: victim@z.example'] }));
    assert.equal(res.status, 400);
    const fields = Object.fromEntries(res.body.error.fields.map((f: any) => [f.field, f.rule]));
    assert.deepEqual(fields, { host: 'host', port: 'range', fromAddress: 'email', replyTo: 'email', 'bcc.0': 'email' });
    assert.equal((await api.get('/mail-servers')).body.items.length, before);
  });

  it('rejects line breaks hidden in encoded words', async () => {
    const res = await api.post('/mail-servers', serverInput({ fromName: '=?UTF-8?B?SGkNCkJjYzogZXZpbEB4LmNvbQ==?=' }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.fields[0].field, 'fromName');
    assert.equal(res.body.error.fields[0].rule, 'no_line_breaks');
  });

  it('keeps the stored password when an update leaves it empty', async () => {
    const { body: created } = await api.post('/mail-servers', serverInput({ password: 'keep-me-1' }));
    const sealed = await sealedPasswordOf(created.id);
    for (const password of [undefined, null, '']) {
      const res = await api.patch(`/mail-servers/${created.id}`, { fromName: `Name ${String(password)}`, ...(password === undefined ? {} : { password }) });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.hasPassword, true);
    }
    assert.equal(await sealedPasswordOf(created.id), sealed);
    assert.equal(await openPasswordOf(created.id), 'keep-me-1');
  });

  for (const change of [{ host: 'attacker.example.org' }, { port: 2525 }, { security: 'tls', port: 465 }, { authMechanism: 'login' }]) {
    it(`drops the stored password when ${Object.keys(change)[0]} changes (Keycloak #39486)`, async () => {
      const { body: created } = await api.post('/mail-servers', serverInput({ password: 'must-not-travel' }));
      const res = await api.patch(`/mail-servers/${created.id}`, change);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.hasPassword, false);
      assert.ok(res.body.warnings.some((w: any) => w.code === 'PASSWORD_CLEARED'));
      assert.equal(await sealedPasswordOf(created.id), null);
    });
  }

  it('keeps a password typed together with the new host', async () => {
    const { body: created } = await api.post('/mail-servers', serverInput({ password: 'old-one-1' }));
    const res = await api.patch(`/mail-servers/${created.id}`, { host: 'smtp.new.example', password: 'new-one-2' });
    assert.equal(res.body.hasPassword, true);
    assert.equal(await openPasswordOf(created.id), 'new-one-2');
  });

  it('seals the password at rest with authenticated encryption', async () => {
    const { body: created } = await api.post('/mail-servers', serverInput({ password: 'sealed-check-1' }));
    const sealed = (await sealedPasswordOf(created.id))!;
    assert.ok(!sealed.includes('sealed-check-1'));
    assert.match(sealed, /^v1\.[0-9a-f]{12}\./);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => t.app.services.sealer.open(tampered));
  });

  it('keeps every version and rolls back to one, password included', async () => {
    const { body: created } = await api.post('/mail-servers', serverInput({ name: 'Versioned', password: 'v1-password' }));
    await api.patch(`/mail-servers/${created.id}`, { fromName: 'Second' });
    await api.patch(`/mail-servers/${created.id}`, { host: 'smtp.other.example' }); // clears the password
    const versions = (await api.get(`/mail-servers/${created.id}/versions`)).body.items;
    assert.deepEqual(versions.map((v: any) => v.version), [3, 2, 1]);
    assert.deepEqual(versions.map((v: any) => v.change), ['update', 'update', 'create']);
    assert.equal(versions[0].hasPassword, false);
    assert.ok(!JSON.stringify(versions).includes('v1-password'));
    const res = await api.post(`/mail-servers/${created.id}/versions/1/rollback`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.version, 4);
    assert.equal(res.body.host, 'smtp.example.net');
    assert.equal(res.body.fromName, 'Example');
    assert.equal(res.body.hasPassword, true);
    assert.equal(await openPasswordOf(created.id), 'v1-password');
    assert.equal((await api.post(`/mail-servers/${created.id}/versions/99/rollback`)).status, 404);
    const audit = (await api.get(`/audit-log?targetType=mail_server&targetId=${created.id}`)).body.items;
    assert.deepEqual(audit.map((e: any) => e.action), ['mail_server.rolled_back', 'mail_server.updated', 'mail_server.updated', 'mail_server.created']);
    assert.ok(audit.every((e: any) => e.actorLabel === 'Root Admin <root@acme.example>'));
  });

  it('refuses to delete the default without a replacement, then moves the default', async () => {
    const company = (await api.get('/session')).body.company;
    const defaultId = company.defaultMailServerId;
    const refused = await api.delete(`/mail-servers/${defaultId}`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'SERVER_IS_DEFAULT');
    assert.ok(refused.body.error.details.candidates.length > 0);
    const replacement = refused.body.error.details.candidates[0].id;
    assert.equal((await api.delete(`/mail-servers/${defaultId}?replacementId=${replacement}`)).status, 204);
    assert.equal((await api.get('/session')).body.company.defaultMailServerId, replacement);
    assert.equal((await api.get(`/mail-servers/${defaultId}`)).status, 404);
  });

  it('duplicates a server as an inactive copy with the same password', async () => {
    const { body: created } = await api.post('/mail-servers', serverInput({ name: 'Original', password: 'dup-pass-1' }));
    const res = await api.post(`/mail-servers/${created.id}/duplicate`);
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'Copy of Original');
    assert.equal(res.body.status, 'inactive');
    assert.equal(res.body.isDefault, false);
    assert.equal(await openPasswordOf(res.body.id), 'dup-pass-1');
  });

  it('will not make an inactive server the default', async () => {
    const { body: created } = await api.post('/mail-servers', serverInput({ status: 'inactive' }));
    const res = await api.post(`/mail-servers/${created.id}/default`);
    assert.equal(res.status, 409);
  });

  it('refuses a password and a reference together, and unknown schemes', async () => {
    const both = await api.post('/mail-servers', serverInput({ password: 'x-123', passwordRef: 'secret:foo' }));
    assert.equal(both.status, 400);
    assert.equal(both.body.error.fields[0].rule, 'exclusive');
    const unknown = await api.post('/mail-servers', serverInput({ password: null, passwordRef: 'ftp:whatever' }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.fields[0].field, 'passwordRef');
    const disabled = await api.post('/mail-servers', serverInput({ password: null, passwordRef: 'env:SMTP_PASSWORD' }));
    assert.equal(disabled.status, 400);
    assert.match(disabled.body.error.fields[0].message, /not enabled/);
  });

  it('answers a JSON 404 for unknown ids and routes, and 413 for oversize bodies', async () => {
    assert.equal((await api.get('/mail-servers/00000000-0000-0000-0000-000000000000')).status, 404);
    const unknownRoute = await api.get('/no-such-thing');
    assert.equal(unknownRoute.status, 404);
    assert.equal(unknownRoute.body.error.code, 'NOT_FOUND');
    const big = await api.post('/mail-servers', serverInput({ fromName: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PAYLOAD_TOO_LARGE');
  });

  it('serves an OpenAPI document that lists every route', async () => {
    const doc = await (await fetch(`${t.url}/api/v1/openapi.json`)).json() as any;
    for (const p of ['/mail-servers', '/mail-servers/{id}', '/mail-servers/{id}/versions/{version}/rollback', '/secrets/{name}', '/api-keys', '/session', '/setup', '/audit-log']) {
      assert.ok(doc.paths[p], `missing ${p}`);
    }
    assert.equal(doc.components.schemas.MailServerInput.properties.password.writeOnly, true);
    assert.equal(doc.components.schemas.MailServer.properties.password, undefined);
  });
});
