// Mailroom as the benchmark runs it: `mailroom serve` in its own process (so its CPU and peak RSS
// are its own), on a fresh SQLite data folder or a fresh PostgreSQL database, set up over the HTTP
// API like a host application would (first-run setup → API key → mail server pointing at the sink),
// then fed over HTTP with keep-alive connections.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { mailroomInput } from './messages.ts';
import { track } from './children.ts';
import { freePort, waitForListener } from './ports.ts';

export type Backend = 'sqlite' | 'postgres';

export interface MailroomOptions {
  /** The repository whose src/main.ts is run. */
  repoRoot: string;
  backend: Backend;
  sinkPort: number;
  /** The mail server's maxConnections (nodemailer pool size). */
  maxConnections: number;
  logLevel: string;
  /** PostgreSQL URL of a database to run `create database` in (PostgreSQL backend only). */
  postgresAdminUrl: string;
  /** Extra environment for the Mailroom process (e.g. NODE_OPTIONS=--cpu-prof). */
  env?: Record<string, string>;
  /** Keep the data folder (its log, a CPU profile) after close. */
  keepDataDir?: boolean;
  /**
   * 0 (default): `mailroom serve` runs the delivery worker itself. N > 0: `serve --no-workers` plus
   * N `mailroom worker` processes on the same database (the scale-out deployment), so the work
   * can use more than one core.
   */
  workerProcesses?: number;
}

export interface SubmitReport {
  accepted: number;
  refused: number;
  firstRefusal: string | null;
}

export interface Mailroom {
  /** The `serve` process. */
  pid: number;
  /** Every Mailroom process: `serve` first, then the worker processes, if any. */
  pids: number[];
  port: number;
  dataDir: string;
  logFile: string;
  /** `count` single POST /messages requests over `concurrency` keep-alive connections. */
  submitSingle(first: number, count: number, concurrency: number): Promise<SubmitReport>;
  /** POST /messages/batch requests of `batchSize` messages, `concurrency` at a time. */
  submitBatch(first: number, count: number, batchSize: number, concurrency: number): Promise<SubmitReport>;
  /** Messages of the run not (yet) sent: failed, held or retrying (the failure history). */
  problems(): Promise<number>;
  close(): Promise<void>;
}

interface JsonResponse {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

function request(agent: http.Agent, port: number, method: string, urlPath: string, body: unknown, headers: Record<string, string>): Promise<JsonResponse> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: urlPath, agent,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: any = text;
        try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mailroom_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function startMailroom(o: MailroomOptions): Promise<Mailroom> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `mailroom-bench-${o.backend}-`));
  const database = o.backend === 'postgres' ? await createDatabase(o.postgresAdminUrl) : null;
  const port = await freePort();
  const logFile = path.join(dataDir, 'mailroom.log');
  const log = fs.openSync(logFile, 'a');
  let logOpen = true;
  const workerProcesses = o.workerProcesses ?? 0;
  const launch = (args: string[]) => track(spawn(process.execPath, [path.join(o.repoRoot, 'src', 'main.ts'), ...args, '--data-dir', dataDir], {
    cwd: dataDir,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8',
      MAILROOM_LOG_LEVEL: o.logLevel,
      ...(database ? { MAILROOM_DATABASE_URL: database.url } : { MAILROOM_DATABASE_URL: '' }),
      ...o.env,
    },
  }));
  const child: ChildProcess = launch(['serve', '--port', String(port), '--host', '127.0.0.1', ...(workerProcesses > 0 ? ['--no-workers'] : [])]);
  const workers: ChildProcess[] = [];
  const exitOf = (c: ChildProcess) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) resolve();
    else c.once('exit', () => resolve());
  });
  const exited = exitOf(child);
  const stop = async (c: ChildProcess) => {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = exitOf(c);
      c.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGKILL');
        await gone;
      }
    }
  };
  const cleanup = async () => {
    await Promise.all([...workers, child].map(stop));
    if (logOpen) fs.closeSync(log);
    logOpen = false;
    await database?.drop().catch(() => {});
  };

  try {
    await Promise.race([
      waitForListener(port, 30_000),
      exited.then(() => { throw new Error(`mailroom exited at start; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`); }),
    ]);
    // The worker processes start once `serve` has migrated the database.
    for (let i = 0; i < workerProcesses; i++) workers.push(launch(['worker']));
  } catch (err) {
    await cleanup();
    throw err;
  }

  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const call = (method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}) => request(agent, port, method, `/api/v1${urlPath}`, body, headers);
  const expect = (res: JsonResponse, status: number, what: string) => {
    if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  let apiKey: string;
  let serverId: string;
  try {
    const setup = await call('POST', '/setup', { companyName: 'Bench', companySlug: 'bench', name: 'Bench Admin', email: 'admin@bench.example', password: 'bench-admin-password-1' });
    const csrf = expect(setup, 201, 'first-run setup').csrfToken as string;
    const cookie = String(setup.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    apiKey = expect(await call('POST', '/api-keys', { name: 'bench' }, { cookie, 'x-csrf-token': csrf }), 201, 'API key').key;
    serverId = expect(await call('POST', '/mail-servers', {
      name: 'Bench sink', preset: 'custom', host: '127.0.0.1', port: o.sinkPort, security: 'none', authEnabled: false,
      fromAddress: 'noreply@bench.example', fromName: 'Bench', maxConnections: o.maxConnections,
    }, { authorization: `Bearer ${apiKey}` }), 201, 'mail server').id;
  } catch (err) {
    agent.destroy();
    await cleanup();
    throw err;
  }
  const auth = { authorization: `Bearer ${apiKey}` };

  async function lanes(jobs: (() => Promise<SubmitReport>)[], concurrency: number): Promise<SubmitReport> {
    const total: SubmitReport = { accepted: 0, refused: 0, firstRefusal: null };
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) {
        const r = await jobs[next++]!();
        total.accepted += r.accepted;
        total.refused += r.refused;
        total.firstRefusal ??= r.firstRefusal;
      }
    }));
    return total;
  }

  return {
    pid: child.pid!,
    pids: [child.pid!, ...workers.map((w) => w.pid!)],
    port,
    dataDir,
    logFile,
    submitSingle(first, count, concurrency) {
      const jobs = Array.from({ length: count }, (_, k) => async (): Promise<SubmitReport> => {
        const res = await call('POST', '/messages', mailroomInput(first + k, serverId), auth);
        return res.status === 202 ? { accepted: 1, refused: 0, firstRefusal: null } : { accepted: 0, refused: 1, firstRefusal: `${res.status} ${JSON.stringify(res.body)}` };
      });
      return lanes(jobs, concurrency);
    },
    submitBatch(first, count, batchSize, concurrency) {
      const jobs: (() => Promise<SubmitReport>)[] = [];
      for (let start = 0; start < count; start += batchSize) {
        const size = Math.min(batchSize, count - start);
        const messages = Array.from({ length: size }, (_, k) => mailroomInput(first + start + k, serverId));
        jobs.push(async () => {
          const res = await call('POST', '/messages/batch', { messages }, auth);
          return res.status === 202 ? { accepted: size, refused: 0, firstRefusal: null } : { accepted: 0, refused: size, firstRefusal: `${res.status} ${JSON.stringify(res.body).slice(0, 300)}` };
        });
      }
      return lanes(jobs, concurrency);
    },
    async problems() {
      const res = await call('GET', '/messages?status=failed,held,retrying&limit=100', undefined, auth);
      return res.status === 200 ? (res.body.items as unknown[]).length : -1;
    },
    async close() {
      agent.destroy();
      await cleanup();
      if (!o.keepDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
