// Delivery benchmark: N small messages into one local smtp-sink, several ways, interleaved in
// rounds in one run, each measured from the first submit to the Nth message at the sink.
//
//   node_modules/.bin/node bench/delivery-bench.ts [--messages 5000] [--rounds 3]
//
// Kinds (see bench/README.md): nodemailer-direct (pooled transport, message objects),
// nodemailer-direct-raw (same, pre-rendered MIME), mailroom-single (concurrent POST /messages),
// mailroom-batch (POST /messages/batch), each on SQLite and PostgreSQL, and haraka (outbound
// queue relay). Prints one JSON line per run, then a summary: median msgs/s per kind and
// Mailroom's median per-round ratios to nodemailer direct and to Haraka.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startNodemailerClient } from './lib/client.ts';
import { harakaInstalled, startHaraka } from './lib/haraka.ts';
import { startMailroom, type Backend } from './lib/mailroom.ts';
import { freePort } from './lib/ports.ts';
import { cpuMs, peakRssMb, postgresCpuMs } from './lib/procfs.ts';
import { startSink, type Sink } from './lib/sink.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const KINDS = ['nodemailer-direct', 'nodemailer-direct-raw', 'mailroom-single', 'mailroom-batch', 'haraka'] as const;
type Kind = (typeof KINDS)[number];

const USAGE = `Usage: node_modules/.bin/node bench/delivery-bench.ts [options]
  --messages N            messages per measured run (default 5000)
  --rounds R              interleaved rounds (default 3)
  --warmup W              messages sent first in each run, not counted (default N/10, 100–500)
  --kinds a,b             ${KINDS.join(',')} (default all)
  --backends a,b          sqlite,postgres (default both)
  --connections C         SMTP connections to the sink for every sender (default 10)
  --http-concurrency H    concurrent POST /messages requests, keep-alive (default 32)
  --batch-size B          messages per POST /messages/batch (default 1000)
  --batch-concurrency K   batch requests at once (default 2)
  --timeout S             seconds a measured run may take before it is abandoned (default 180)
  --log-level L           Mailroom's and Haraka's log level (default info, both products' default)
  --haraka-concurrency M  Haraka outbound.ini concurrency_max (default: Haraka's own, 10000)
  --postgres-url URL      database to run "create database" in (default postgres://postgres@127.0.0.1:5432/test)
  --mailroom-dir DIR      the Mailroom checkout to run (default: this repository)
  --cpu-prof              run Mailroom with --cpu-prof and keep its data folders (profiles, logs)
  --worker-processes N    run Mailroom as \`serve --no-workers\` plus N \`mailroom worker\` processes (default 0:
                          serve runs the worker); CPU and peak RSS are then the sum over all of them`;

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string' },
    kinds: { type: 'string', default: KINDS.join(',') },
    backends: { type: 'string', default: 'sqlite,postgres' },
    connections: { type: 'string', default: '10' },
    'http-concurrency': { type: 'string', default: '32' },
    'batch-size': { type: 'string', default: '1000' },
    'batch-concurrency': { type: 'string', default: '2' },
    timeout: { type: 'string', default: '180' },
    'log-level': { type: 'string', default: 'info' },
    'haraka-concurrency': { type: 'string' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'mailroom-dir': { type: 'string', default: REPO_ROOT },
    'cpu-prof': { type: 'boolean', default: false },
    'worker-processes': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(USAGE + '\n');
  process.exit(0);
}

const N = Number(values.messages);
const ROUNDS = Number(values.rounds);
const WARMUP = values.warmup ? Number(values.warmup) : Math.min(500, Math.max(100, Math.round(N / 10)));
const CONNECTIONS = Number(values.connections);
const WORKER_PROCESSES = Number(values['worker-processes']);
const TIMEOUT_MS = Number(values.timeout) * 1000;
const kinds = values.kinds.split(',').map((k) => k.trim()) as Kind[];
const backends = values.backends.split(',').map((b) => b.trim()) as Backend[];
for (const k of kinds) if (!KINDS.includes(k)) throw new Error(`unknown kind ${k}`);
for (const b of backends) if (b !== 'sqlite' && b !== 'postgres') throw new Error(`unknown backend ${b}`);
if (!(N > 0) || !(ROUNDS > 0)) throw new Error('--messages and --rounds must be positive');

interface RunRecord {
  kind: Kind;
  backend: string;
  round: number;
  messages: number;
  seconds: number;
  msgsPerSec: number;
  /** CPU of the process measured (the sender / Mailroom / Haraka), per message, in ms. */
  cpuMsPerMsg: number;
  peakRssMb: number;
  /** Time until every message was accepted (202s received; nodemailer/Haraka: 250s received). */
  acceptSeconds?: number;
  /** PostgreSQL server CPU per message (all its processes), for the postgres backend. */
  dbCpuMsPerMsg?: number;
  /** Mailroom ran as serve --no-workers plus this many worker processes (--worker-processes). */
  workerProcesses?: number;
  /** Mailroom messages failed, held or retrying after the run (should be 0). */
  problems?: number;
  refused?: number;
  /** Messages the sink received beyond N within 300 ms after the run (should be 0). */
  extraDeliveries?: number;
  error?: string;
}

const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);
const emit = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const round1 = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
let nextIndex = 0;
const take = (count: number) => { const first = nextIndex; nextIndex += count; return first; };

/** Measures one window: CPU of `pid` (and PostgreSQL's) from now until `finish` resolves with its end time. */
async function measure<T>(sink: Sink, pid: number | number[], withDb: boolean, start: () => Promise<T>): Promise<{ seconds: number; cpuMs: number; dbCpuMs: number; started: T; extra: number }> {
  const pids = Array.isArray(pid) ? pid : [pid];
  const cpuOf = () => pids.reduce((sum, p) => sum + cpuMs(p), 0);
  const base = sink.messages;
  const done = sink.waitFor(base + N, TIMEOUT_MS);
  const cpu0 = cpuOf();
  const db0 = withDb ? postgresCpuMs() : 0;
  const t0 = performance.now();
  const startedP = start();
  const tEnd = await done;
  const cpu1 = cpuOf();
  const db1 = withDb ? postgresCpuMs() : 0;
  const started = await startedP;
  await new Promise((r) => setTimeout(r, 300));
  return { seconds: (tEnd - t0) / 1000, cpuMs: cpu1 - cpu0, dbCpuMs: db1 - db0, started, extra: sink.messages - (base + N) };
}

async function runNodemailer(sink: Sink, round: number, raw: boolean): Promise<RunRecord> {
  const kind: Kind = raw ? 'nodemailer-direct-raw' : 'nodemailer-direct';
  const mode = raw ? 'raw' : 'fields';
  const client = await startNodemailerClient({ port: sink.port, connections: CONNECTIONS, noDelay: true });
  try {
    await client.prepare({ first: take(WARMUP), count: WARMUP, mode, tag: `w${round}` });
    const warmBase = sink.messages;
    await client.send();
    await sink.waitFor(warmBase + WARMUP, TIMEOUT_MS);
    await client.prepare({ first: take(N), count: N, mode, tag: `r${round}` });
    let accepted = 0;
    const m = await measure(sink, client.pid, false, async () => {
      const t = performance.now();
      const r = await client.send();
      accepted = (performance.now() - t) / 1000;
      return r;
    });
    return {
      kind, backend: 'none', round, messages: N, seconds: round1(m.seconds, 3), msgsPerSec: Math.round(N / m.seconds),
      cpuMsPerMsg: round1(m.cpuMs / N, 3), peakRssMb: peakRssMb(client.pid), acceptSeconds: round1(accepted, 3),
      refused: m.started.failed, extraDeliveries: m.extra, ...(m.started.firstError ? { error: m.started.firstError } : {}),
    };
  } finally {
    await client.close();
  }
}

async function runMailroom(sink: Sink, round: number, backend: Backend, batch: boolean): Promise<RunRecord> {
  const kind: Kind = batch ? 'mailroom-batch' : 'mailroom-single';
  const mailroom = await startMailroom({
    repoRoot: values['mailroom-dir'], backend, sinkPort: sink.port, maxConnections: CONNECTIONS, logLevel: values['log-level'],
    postgresAdminUrl: values['postgres-url'],
    ...(values['cpu-prof'] ? { env: { NODE_OPTIONS: '--cpu-prof' }, keepDataDir: true } : {}),
    workerProcesses: WORKER_PROCESSES,
  });
  const submit = (count: number) => (batch
    ? mailroom.submitBatch(take(count), count, Number(values['batch-size']), Number(values['batch-concurrency']))
    : mailroom.submitSingle(take(count), count, Number(values['http-concurrency'])));
  try {
    const warmBase = sink.messages;
    const warm = await submit(WARMUP);
    if (warm.refused) throw new Error(`warm-up refused: ${warm.firstRefusal}`);
    await sink.waitFor(warmBase + WARMUP, TIMEOUT_MS);
    let accepted = 0;
    const m = await measure(sink, mailroom.pids, backend === 'postgres', async () => {
      const t = performance.now();
      const r = await submit(N);
      accepted = (performance.now() - t) / 1000;
      return r;
    });
    return {
      kind, backend, round, messages: N, seconds: round1(m.seconds, 3), msgsPerSec: Math.round(N / m.seconds),
      cpuMsPerMsg: round1(m.cpuMs / N, 3), peakRssMb: mailroom.pids.reduce((sum, p) => sum + peakRssMb(p), 0), acceptSeconds: round1(accepted, 3),
      ...(backend === 'postgres' ? { dbCpuMsPerMsg: round1(m.dbCpuMs / N, 3) } : {}),
      ...(WORKER_PROCESSES > 0 ? { workerProcesses: WORKER_PROCESSES } : {}),
      problems: await mailroom.problems(), refused: m.started.refused, extraDeliveries: m.extra,
      ...(m.started.firstRefusal ? { error: m.started.firstRefusal } : {}),
    };
  } finally {
    await mailroom.close();
    if (values['cpu-prof']) log(`kept ${mailroom.dataDir} (CPU profile, log)`);
  }
}

async function runHaraka(sink: Sink, round: number): Promise<RunRecord> {
  const haraka = await startHaraka({
    sinkPort: sink.port, logLevel: values['log-level'],
    concurrencyMax: values['haraka-concurrency'] ? Number(values['haraka-concurrency']) : null,
  });
  const client = await startNodemailerClient({ port: haraka.port, connections: CONNECTIONS, noDelay: true }).catch(async (err) => { await haraka.close(); throw err; });
  try {
    await client.prepare({ first: take(WARMUP), count: WARMUP, mode: 'raw', tag: `hw${round}` });
    const warmBase = sink.messages;
    await client.send();
    await sink.waitFor(warmBase + WARMUP, TIMEOUT_MS);
    await client.prepare({ first: take(N), count: N, mode: 'raw', tag: `h${round}` });
    let accepted = 0;
    const m = await measure(sink, haraka.pid, false, async () => {
      const t = performance.now();
      const r = await client.send();
      accepted = (performance.now() - t) / 1000;
      return r;
    });
    return {
      kind: 'haraka', backend: 'disk-queue', round, messages: N, seconds: round1(m.seconds, 3), msgsPerSec: Math.round(N / m.seconds),
      cpuMsPerMsg: round1(m.cpuMs / N, 3), peakRssMb: peakRssMb(haraka.pid), acceptSeconds: round1(accepted, 3),
      refused: m.started.failed, extraDeliveries: m.extra, ...(m.started.firstError ? { error: m.started.firstError } : {}),
    };
  } finally {
    await client.close();
    await haraka.close();
  }
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

function summarize(records: RunRecord[]) {
  const ok = records.filter((r) => Number.isFinite(r.msgsPerSec) && !(r.refused ?? 0));
  const groups = new Map<string, RunRecord[]>();
  for (const r of ok) {
    const key = `${r.kind}/${r.backend}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const perKind = [...groups.entries()].map(([key, rs]) => ({
    key, runs: rs.length,
    msgsPerSec: Math.round(median(rs.map((r) => r.msgsPerSec))),
    cpuMsPerMsg: round1(median(rs.map((r) => r.cpuMsPerMsg)), 3),
    peakRssMb: Math.max(...rs.map((r) => r.peakRssMb)),
    ...(rs.some((r) => r.dbCpuMsPerMsg !== undefined) ? { dbCpuMsPerMsg: round1(median(rs.map((r) => r.dbCpuMsPerMsg ?? Number.NaN)), 3) } : {}),
  }));
  // Ratios per round (same round, so the same machine weather), then the median over rounds.
  const byRound = (kind: string, backend: string, round: number) => ok.find((r) => r.kind === kind && r.backend === backend && r.round === round)?.msgsPerSec;
  const ratios: Record<string, number> = {};
  const anchors = [['nodemailer-direct', 'none'], ['nodemailer-direct-raw', 'none'], ['haraka', 'disk-queue']] as const;
  for (const backend of backends) {
    for (const kind of ['mailroom-single', 'mailroom-batch']) {
      for (const [anchor, anchorBackend] of anchors) {
        const rs: number[] = [];
        for (let round = 1; round <= ROUNDS; round++) {
          const a = byRound(kind, backend, round);
          const b = byRound(anchor, anchorBackend, round);
          if (a && b) rs.push(a / b);
        }
        if (rs.length) ratios[`${kind}/${backend} ÷ ${anchor}`] = round1(median(rs), 2);
      }
    }
  }
  return { perKind, ratios };
}

async function main(): Promise<void> {
  if (kinds.includes('haraka') && !harakaInstalled()) throw new Error('Haraka is not installed: run `cd bench && npm install` first (or leave out --kinds haraka)');
  const sink = await startSink(await freePort());
  emit({
    kind: 'meta', date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    memGb: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), messages: N, rounds: ROUNDS, warmup: WARMUP, connections: CONNECTIONS,
    httpConcurrency: Number(values['http-concurrency']), batchSize: Number(values['batch-size']), batchConcurrency: Number(values['batch-concurrency']),
    logLevel: values['log-level'], sinkPort: sink.port, workerProcesses: WORKER_PROCESSES,
  });
  const records: RunRecord[] = [];
  const plan: { kind: Kind; backend?: Backend }[] = [];
  const want = (k: Kind) => kinds.includes(k);
  if (want('nodemailer-direct')) plan.push({ kind: 'nodemailer-direct' });
  for (const backend of backends.filter((b) => b === 'sqlite')) {
    if (want('mailroom-single')) plan.push({ kind: 'mailroom-single', backend });
    if (want('mailroom-batch')) plan.push({ kind: 'mailroom-batch', backend });
  }
  if (want('haraka')) plan.push({ kind: 'haraka' });
  if (want('nodemailer-direct-raw')) plan.push({ kind: 'nodemailer-direct-raw' });
  for (const backend of backends.filter((b) => b === 'postgres')) {
    if (want('mailroom-single')) plan.push({ kind: 'mailroom-single', backend });
    if (want('mailroom-batch')) plan.push({ kind: 'mailroom-batch', backend });
  }
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const step of plan) {
        log(`round ${round}: ${step.kind}${step.backend ? ` (${step.backend})` : ''}`);
        let record: RunRecord;
        try {
          record = step.kind === 'nodemailer-direct' || step.kind === 'nodemailer-direct-raw' ? await runNodemailer(sink, round, step.kind === 'nodemailer-direct-raw')
            : step.kind === 'haraka' ? await runHaraka(sink, round)
              : await runMailroom(sink, round, step.backend!, step.kind === 'mailroom-batch');
        } catch (err) {
          record = {
            kind: step.kind, backend: step.backend ?? (step.kind === 'haraka' ? 'disk-queue' : 'none'), round, messages: N,
            seconds: Number.NaN, msgsPerSec: Number.NaN, cpuMsPerMsg: Number.NaN, peakRssMb: Number.NaN, error: err instanceof Error ? err.message : String(err),
          };
        }
        records.push(record);
        emit(record);
      }
    }
  } finally {
    await sink.close();
  }
  const summary = summarize(records.filter((r) => Number.isFinite(r.msgsPerSec)));
  emit({ kind: 'summary', ...summary });
  const lines = ['', `Medians over ${ROUNDS} round(s), ${N} messages per run:`,
    'kind/backend                          msgs/s  cpu ms/msg  db cpu ms/msg  peak RSS MB'];
  for (const k of summary.perKind) {
    lines.push(`${k.key.padEnd(36)} ${String(k.msgsPerSec).padStart(7)}  ${String(k.cpuMsPerMsg).padStart(10)}  ${String(k.dbCpuMsPerMsg ?? '').padStart(13)}  ${String(k.peakRssMb).padStart(11)}`);
  }
  lines.push('', 'Mailroom ÷ anchor (median of per-round ratios):');
  for (const [k, v] of Object.entries(summary.ratios)) lines.push(`  ${k.padEnd(58)} ${v}`);
  process.stderr.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`delivery-bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
