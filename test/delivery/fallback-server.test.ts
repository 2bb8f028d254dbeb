// A company's fallback server carries its mail while its own server is held by a configuration
// error; the admin sees the held server and why; fixing it moves mail back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { startScriptedSink, type ScriptedSink } from './support/scripted-sink.ts';

describe('fallback server', () => {
  let t: TestApp;
  let api: ApiClient;
  let primary: ScriptedSink;
  let backup: ScriptedSink;
  let primaryId: string;
  let backupId: string;
  const clock = new ManualClock();

  before(async () => {
    primary = await startScriptedSink({ password: 'primary-pass-1' });
    backup = await startScriptedSink({ password: 'backup-pass-1' });
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' }, clock });
    const admin = await setupRoot(t.url);
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'host' })).body.key);
    primaryId = (await api.post('/mail-servers', serverInput({ name: 'Primary', host: '127.0.0.1', port: primary.port, security: 'none', password: 'primary-pass-1' }))).body.id;
    backupId = (await api.post('/mail-servers', serverInput({ name: 'Backup', host: '127.0.0.1', port: backup.port, security: 'none', password: 'backup-pass-1', hasRelay: true }))).body.id;
    await useCustomServer(t, primaryId);
  });
  after(async () => {
    await t.close();
    await primary.close();
    await backup.close();
  });

  const send = async () => (await api.post('/messages', { to: ['ann@customer.example'], subject: 'Hi', text: 'x' })).body.id as string;
  const detail = async (id: string) => (await api.get(`/messages/${id}`)).body;

  it('refuses an inactive fallback and shows the chosen one', async () => {
    const off = (await api.post('/mail-servers', serverInput({ name: 'Off', status: 'inactive' }))).body.id;
    assert.equal((await api.post(`/mail-servers/${off}/fallback`)).status, 409);
    const res = await api.post(`/mail-servers/${backupId}/fallback`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.isFallback, true);
    assert.equal((await api.get(`/mail-servers/${primaryId}`)).body.isFallback, false);
  });

  it('sends through the fallback when the own server refuses the password, and tells the admin', async () => {
    primary.script.password = 'changed-by-it-1';
    const id = await send();
    await t.app.worker.runUntilIdle();
    const m = await detail(id);
    assert.equal(m.status, 'sent');
    assert.deepEqual(m.attempts.map((a: any) => [a.serverId, a.outcome, a.code]), [[primaryId, 'config', 'AUTH_FAILED'], [backupId, 'sent', 'SENT']]);
    assert.equal(backup.received.length, 1);
    const server = (await api.get(`/mail-servers/${primaryId}`)).body;
    assert.equal(server.delivery.state, 'held');
    assert.match(server.delivery.message, /fallback server "Backup"/);
  });

  it('keeps using the fallback without touching the held server', async () => {
    const logins = primary.logins;
    const id = await send();
    await t.app.worker.runUntilIdle();
    assert.equal((await detail(id)).status, 'sent');
    assert.equal(primary.logins, logins);
    assert.equal(backup.received.length, 2);
  });

  it('goes back to the own server once it is fixed', async () => {
    assert.equal((await api.patch(`/mail-servers/${primaryId}`, { password: 'changed-by-it-1' })).status, 200);
    const id = await send();
    await t.app.worker.runUntilIdle();
    const m = await detail(id);
    assert.equal(m.status, 'sent');
    assert.equal(m.attempts.at(-1).serverId, primaryId);
    assert.equal(primary.received.length, 1);
  });

  it('holds the mail when there is no fallback', async () => {
    assert.equal((await api.delete(`/mail-servers/${backupId}/fallback`)).status, 204);
    // A wrong password saved on the server: its pool is rebuilt and the login fails.
    assert.equal((await api.patch(`/mail-servers/${primaryId}`, { password: 'mistyped-password-3' })).status, 200);
    const id = await send();
    await t.app.worker.runUntilIdle();
    assert.equal((await detail(id)).status, 'held');
    clock.advance(3_600_000);
  });
});
