// Secrets never leave: servers are created with distinctive passwords, every endpoint is
// exercised, and the passwords are searched for in every answer, every log line and the database
// file, which must hold only the sealed form.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';

const TYPED = 'Zebra-Typed-Pa55word-7731';
const SECRET_VALUE = 'Quokka-Internal-Secret-4410';
const UPDATED = 'Narwhal-Updated-Pa55-9902';

describe('passwords never leave', () => {
  let t: TestApp;
  let api: ApiClient;
  let serverId: string;
  before(async () => {
    t = await startTestApp();
    api = await setupRoot(t.url);
  });
  after(() => t.close());

  it('exercises every endpoint with distinctive secrets', async () => {
    const created = await api.post('/mail-servers', serverInput({ password: TYPED }));
    assert.equal(created.status, 201);
    serverId = created.body.id;
    await api.put('/secrets/smtp-main', { value: SECRET_VALUE, description: 'main relay' });
    const byRef = await api.post('/mail-servers', serverInput({ name: 'By reference', password: null, passwordRef: 'secret:smtp-main' }));
    assert.equal(byRef.status, 201);
    await api.patch(`/mail-servers/${serverId}`, { password: UPDATED });
    await api.patch(`/mail-servers/${serverId}`, { host: 'smtp.elsewhere.example' });
    await api.post(`/mail-servers/${serverId}/versions/2/rollback`);
    await api.post(`/mail-servers/${serverId}/duplicate`);
    await api.post(`/mail-servers/${serverId}/default`);
    // Invalid input that echoes values back must not echo a password either.
    await api.post('/mail-servers', serverInput({ password: TYPED, port: 99999, host: 'bad host' }));
    await api.patch(`/mail-servers/${serverId}`, { password: `${TYPED}\u0000` });
    for (const p of ['/mail-servers', `/mail-servers/${serverId}`, `/mail-servers/${serverId}/versions`, '/secrets', '/audit-log', '/api-keys', '/session', '/companies', '/users']) {
      assert.equal((await api.get(p)).status, 200, p);
    }
    // The passwords are really stored and usable.
    const server = (await t.app.services.store.mailServers.get(serverId))!;
    assert.equal(await t.app.services.mailServers.resolvePassword(server, (await t.app.services.store.companies.get(server.companyId))!), UPDATED);
  });

  it('finds them in no API answer', () => {
    const all = api.transcript.join('\n');
    for (const secret of [TYPED, SECRET_VALUE, UPDATED]) assert.ok(!all.includes(secret), `${secret} leaked into an API answer`);
  });

  it('finds them in no log line', () => {
    const logs = t.logs();
    assert.ok(logs.length > 0);
    for (const secret of [TYPED, SECRET_VALUE, UPDATED]) assert.ok(!logs.includes(secret), `${secret} leaked into the logs`);
  });

  it('finds them nowhere in the database files, which hold only the sealed form', async () => {
    await t.app.close(); // checkpoints the WAL into the main file
    const files = fs.readdirSync(t.db.dataDir).filter((f) => f.startsWith('mailroom.db'));
    assert.ok(files.includes('mailroom.db'));
    for (const f of files) {
      const bytes = fs.readFileSync(path.join(t.db.dataDir, f));
      for (const secret of [TYPED, SECRET_VALUE, UPDATED]) {
        assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${secret} found in ${f}`);
        assert.equal(bytes.indexOf(Buffer.from(secret, 'utf16le')), -1, `${secret} found (UTF-16) in ${f}`);
      }
    }
    const db = fs.readFileSync(path.join(t.db.dataDir, 'mailroom.db'));
    assert.ok(/v1\.[0-9a-f]{12}\./.test(db.toString('latin1')), 'sealed values are present');
    // Reopen so after() can close normally.
    t = { ...t, close: async () => t.db.drop() };
  });
});
