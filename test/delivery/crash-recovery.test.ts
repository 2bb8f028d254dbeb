// "Accepted means stored" and "at least once, with a stable identity", under kill -9: 2,000
// accepted messages, the Mailroom processes killed while sending, started again. Every message
// arrives at least once; duplicates are no more than the messages that were in flight (status
// "sending") at the kill, and carry the same Message-ID. On SQLite one `serve`; on PostgreSQL an
// API-only `serve --no-workers` and two `worker` processes sharing the queue.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { ApiClient, serverInput } from '../support/api-client.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const MESSAGES = 2000;
const KILL_AFTER_RECEIVED = 400;
const DEADLINE_MS = 120_000;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = DEADLINE_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Sink { port: number; received: string[]; close(): Promise<void> }

/** Records the Message-ID of every message it accepts; a little slow, so a kill lands mid-stream. */
async function startSink(): Promise<Sink> {
  const sink: Sink = { port: 0, received: [], close: async () => {} };
  const server = new SMTPServer({
    logger: false, authOptional: true, disabledCommands: ['STARTTLS'], disableReverseLookup: true,
    onData(stream, _s, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => { raw += d.toString(); });
      stream.on('end', () => setTimeout(() => {
        sink.received.push(/^Message-ID: (.*)$/m.exec(raw)?.[1]?.trim() ?? 'none');
        cb();
      }, 2));
    },
  });
  // Killed clients reset their connections; that is the point of the test, not an error in it.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

function startProcess(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'src/main.ts'), ...args], {
    env: { ...process.env, MAILROOM_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', () => {}); // drained; a crash shows up as a missing delivery below
  return child;
}

for (const backend of BACKENDS) {
  describe(`crash recovery (${backend})`, () => {
    let db: TestDatabase;
    let sink: Sink;
    const children: ChildProcess[] = [];
    after(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await sink?.close();
      await db?.drop();
    });

    it('delivers every accepted message at least once after kill -9, duplicates bounded by in-flight', async (t) => {
      db = await createTestDatabase(backend);
      sink = await startSink();
      const port = await freePort();
      const env: Record<string, string> = {
        MAILROOM_DATA_DIR: db.dataDir, MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8',
        MAILROOM_WORKER_LEASE_SECONDS: '3', MAILROOM_RETRY_BASE_SECONDS: '1', MAILROOM_RETRY_MAX_SECONDS: '2',
        ...(db.databaseUrl ? { MAILROOM_DATABASE_URL: db.databaseUrl } : {}),
      };
      const startAll = () => {
        if (backend === 'sqlite') {
          children.push(startProcess(['serve', '--port', String(port), '--host', '127.0.0.1'], env));
        } else {
          children.push(startProcess(['serve', '--no-workers', '--port', String(port), '--host', '127.0.0.1'], env));
          children.push(startProcess(['worker'], env), startProcess(['worker'], env));
        }
      };
      startAll();
      const base = `http://127.0.0.1:${port}`;
      await until('the API', async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 30_000);

      const admin = new ApiClient(base);
      assert.equal((await admin.post('/setup', { companyName: 'Crash Co', name: 'Ops', email: 'ops@crash.example', password: 'crash-test-password' })).status, 201);
      const created = await admin.post('/mail-servers', serverInput({ host: '127.0.0.1', port: sink.port, security: 'none', authEnabled: false, password: null, username: null, maxConnections: 10 }));
      assert.equal(created.status, 201, created.text);
      // "Use this server": the switch runs the connection test against the sink and passes.
      const switched = await admin.put('/mail-service', { service: 'custom', mailServerId: created.body.id });
      assert.equal(switched.status, 200, switched.text);
      const host = ApiClient.withApiKey(base, (await admin.post('/api-keys', { name: 'load' })).body.key);
      // Submitting goes on while the first messages are sent, so the kill can land in either. Only
      // messages whose 202 arrived count as accepted; a batch cut off by the kill may or may not
      // have committed, and either is allowed.
      const accepted: string[] = [];
      const submitting = (async () => {
        for (let batch = 0; batch < MESSAGES / 1000; batch++) {
          const messages = Array.from({ length: 1000 }, (_, i) => ({ to: [`user${batch * 1000 + i}@customer.example`], subject: `n${batch * 1000 + i}`, text: 'crash test' }));
          const res = await host.post('/messages/batch', { messages });
          assert.equal(res.status, 202, res.text.slice(0, 200));
          accepted.push(...res.body.items.map((m: any) => m.messageId));
        }
      })().catch(() => { /* the kill cut a request off */ });

      await until(`${KILL_AFTER_RECEIVED} deliveries`, () => sink.received.length >= KILL_AFTER_RECEIVED);
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
      await submitting;
      const receivedAtKill = sink.received.length;
      assert.ok(accepted.length >= 1000, 'at least the first batch was accepted before the kill');

      // What was in flight: messages the database shows as being sent when the processes died.
      let inFlight: number;
      if (backend === 'sqlite') {
        const file = new BetterSqlite3(path.join(db.dataDir, 'mailroom.db'));
        inFlight = (file.prepare("select count(*) n from messages where status = 'sending'").get() as { n: number }).n;
        file.close();
      } else {
        const client = new pg.Client({ connectionString: db.databaseUrl! });
        await client.connect();
        inFlight = Number((await client.query("select count(*) n from messages where status = 'sending'")).rows[0].n);
        await client.end();
      }

      children.length = 0;
      startAll();
      const expected = new Set(accepted);
      await until('every accepted message delivered', () => new Set(sink.received).size >= expected.size);
      const unique = new Set(sink.received);
      for (const id of expected) assert.ok(unique.has(id), `${id} was accepted but never delivered`);
      const duplicates = sink.received.length - unique.size;
      assert.ok(duplicates <= inFlight, `${duplicates} duplicates, but only ${inFlight} messages were in flight`);
      t.diagnostic(`${backend}: ${accepted.length} accepted; killed after ${receivedAtKill} deliveries with ${inFlight} in flight; ${duplicates} duplicate(s) after restart`);
      // Settle: the database agrees that everything was sent.
      const api = new ApiClient(base);
      await api.signIn('ops@crash.example', 'crash-test-password');
      await until('all messages recorded as sent', async () => (await api.get('/messages?status=queued,sending,retrying,held&limit=1')).body.items.length === 0, 60_000);
      for (const c of children) c.kill('SIGTERM');
    });
  });
}
