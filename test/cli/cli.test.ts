// The CLI as an operator runs it: real processes on a temporary data folder.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ApiClient } from '../support/api-client.ts';
import { tempDir } from '../support/test-databases.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const NODE = process.execPath;

function mailroom(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(NODE, [path.join(ROOT, 'src/main.ts'), ...args], { env: { ...process.env, MAILROOM_LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('mailroom CLI', () => {
  const dataDir = tempDir();
  let webhookSecret = '';
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints usage and refuses unknown commands', () => {
    const help = mailroom(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /smtp test/);
    assert.equal(mailroom(['frobnicate']).code, 2);
    const badFlag = mailroom(['admin', 'create', '--emial', 'x']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /emial/);
  });

  it('creates the first administrator from an environment variable, never an argument', () => {
    const missing = mailroom(['admin', 'create', '--email', 'ops@example.com', '--password-env', 'NOPE_UNSET', '--data-dir', dataDir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /NOPE_UNSET/);
    const res = mailroom(['admin', 'create', '--email', 'ops@example.com', '--password-env', 'OPS_PW', '--company', 'Ops Co', '--data-dir', dataDir], { OPS_PW: 'ops-password-123' });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /ops@example\.com/);
    assert.ok(!res.stdout.includes('ops-password-123'));
    const second = mailroom(['admin', 'create', '--email', 'ops2@example.com', '--password-env', 'OPS_PW', '--data-dir', dataDir], { OPS_PW: 'short' });
    assert.equal(second.code, 1);
    assert.match(second.stderr, /password: must be at least 10 characters/);
    const key = fs.statSync(path.join(dataDir, 'secret.key'));
    assert.equal(key.mode & 0o777, 0o600);
  });

  it('prints an API key once and it works against the API', async () => {
    const res = mailroom(['apikey', 'create', '--company', 'ops-co', '--name', 'crm', '--data-dir', dataDir]);
    assert.equal(res.code, 0, res.stderr);
    const key = res.stdout.trim();
    assert.match(key, /^mr_[\w-]+$/);
    assert.equal(mailroom(['apikey', 'create', '--company', 'nope', '--name', 'x', '--data-dir', dataDir]).code, 2);
    const app = await buildApp(loadConfig({ MAILROOM_DATA_DIR: dataDir }, { port: '0', host: '127.0.0.1' }), { logger: createLogger({ level: 'silent' }) });
    const port = await app.listen();
    try {
      const host = ApiClient.withApiKey(`http://127.0.0.1:${port}`, key);
      const created = await host.post('/mail-servers', { name: 'Relay', host: 'smtp.example.net', port: 587, security: 'starttls', authEnabled: true, authMechanism: 'plain', username: 'u@example.net', password: 'rotate-me-please-1', fromAddress: 'noreply@example.net' });
      assert.equal(created.status, 201, created.text);
      await host.put('/secrets/relay', { value: 'secret-rotate-2' });
      // A public address literal: saved without a DNS lookup, never connected to here.
      const hook = await host.put('/webhook', { url: 'https://93.184.216.34/hooks/mailroom' });
      assert.equal(hook.status, 201, hook.text);
      webhookSecret = hook.body.secret;
    } finally {
      await app.close();
    }
  });

  it('rotates the sealing key with nothing lost', async () => {
    const keyFile = path.join(dataDir, 'secret.key');
    const before = fs.readFileSync(keyFile, 'utf8');
    const res = mailroom(['secrets', 'rotate-key', '--data-dir', dataDir]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /Re-sealed 1 mail server password\(s\), 1 password\(s\) in server history, 1 company secret\(s\), 1 webhook signing secret\(s\) and 0 DKIM key\(s\)/);
    const after = fs.readFileSync(keyFile, 'utf8');
    assert.notEqual(after, before);
    assert.equal(after.trim().split('\n').length, 1, 'the old key is gone from the file');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const app = await buildApp(loadConfig({ MAILROOM_DATA_DIR: dataDir }), { logger: createLogger({ level: 'silent' }) });
    try {
      const [server] = await app.services.store.mailServers.listVisibleTo((await app.services.store.companies.getBySlug('ops-co'))!.id);
      const company = (await app.services.store.companies.get(server!.companyId))!;
      assert.equal(await app.services.mailServers.resolvePassword(server!, company), 'rotate-me-please-1');
      const [version] = await app.services.store.mailServers.listVersions(server!.id);
      assert.equal(app.services.sealer.open(version!.passwordSealed!), 'rotate-me-please-1');
      const secret = (await app.services.store.secrets.get(company.id, 'relay'))!;
      assert.equal(app.services.sealer.open(secret.valueSealed), 'secret-rotate-2');
      const webhook = (await app.services.store.webhookEndpoints.get(company.id))!;
      assert.equal(app.services.sealer.open(webhook.secretSealed), webhookSecret);
    } finally {
      await app.close();
    }
  });

  it('serves on the given port and shuts down cleanly on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(NODE, [path.join(ROOT, 'src/main.ts'), 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], { env: { ...process.env, MAILROOM_LOG_LEVEL: 'info' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
      child.stdout.on('data', () => { if (out.includes('Mailroom is running')) { clearTimeout(timer); resolve(); } });
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /shutting down/);
    for (const line of out.trim().split('\n')) JSON.parse(line); // structured logs: one JSON object a line
  });
});
