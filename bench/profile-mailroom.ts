// Where Mailroom's time goes, for one backend and one submit mode: counts the SQL statements per
// message (and the time the process spent in them) over a measured window, optionally with a CPU
// profile (--cpu-prof, read it with bench/cpu-profile-top.ts) and a syscall count (--strace: how
// many fsync/fdatasync per message, i.e. durable commits).
//
//   node_modules/.bin/node bench/profile-mailroom.ts [--backend sqlite|postgres] [--mode batch|single]
//       [--messages 2000] [--cpu-prof] [--strace] [--no-count] [--mailroom-dir DIR]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startMailroom, type Backend } from './lib/mailroom.ts';
import { freePort } from './lib/ports.ts';
import { cpuMs, peakRssMb } from './lib/procfs.ts';
import { startSink } from './lib/sink.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'sqlite' },
    mode: { type: 'string', default: 'batch' },
    messages: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    connections: { type: 'string', default: '10' },
    'http-concurrency': { type: 'string', default: '32' },
    'log-level': { type: 'string', default: 'info' },
    'postgres-url': { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    'mailroom-dir': { type: 'string', default: path.resolve(import.meta.dirname, '..') },
    'cpu-prof': { type: 'boolean', default: false },
    strace: { type: 'boolean', default: false },
    /** Leave out the statement counter (its wrappers take the SQLite time in a CPU profile). */
    'no-count': { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
  },
});
const N = Number(values.messages);
const W = Number(values.warmup);
const backend = values.backend as Backend;
const batch = values.mode === 'batch';

type Tallies = Record<string, { count: number; ms: number }>;

async function main(): Promise<void> {
  const sink = await startSink(await freePort());
  const countFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-count-')), 'counts.json');
  const preload = path.join(import.meta.dirname, 'lib', 'count-queries.ts');
  const mailroom = await startMailroom({
    repoRoot: values['mailroom-dir'], backend, sinkPort: sink.port, maxConnections: Number(values.connections),
    logLevel: values['log-level'], postgresAdminUrl: values['postgres-url'], keepDataDir: values['cpu-prof'],
    env: {
      NODE_OPTIONS: [values['no-count'] ? '' : `--import=${preload}`, values['cpu-prof'] ? '--cpu-prof' : ''].join(' ').trim(),
      BENCH_QUERY_COUNT_FILE: countFile,
    },
  });
  const submit = (first: number, count: number) => (batch ? mailroom.submitBatch(first, count, 1000, 2) : mailroom.submitSingle(first, count, Number(values['http-concurrency'])));
  const snapshot = async (): Promise<Tallies> => {
    if (values['no-count']) return {};
    fs.rmSync(countFile, { force: true });
    process.kill(mailroom.pid, 'SIGUSR2');
    for (let i = 0; i < 100 && !fs.existsSync(countFile); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    return JSON.parse(fs.readFileSync(countFile, 'utf8')) as Tallies;
  };
  try {
    let base = sink.messages;
    await submit(0, W);
    await sink.waitFor(base + W, 120_000);
    await new Promise((r) => setTimeout(r, 300)); // the last records commit
    const before = await snapshot();
    const straceOut = path.join(path.dirname(countFile), 'strace.txt');
    const strace = values.strace ? spawn('strace', ['-f', '-c', '-o', straceOut, '-p', String(mailroom.pid)], { stdio: 'ignore' }) : null;
    if (strace) await new Promise((r) => setTimeout(r, 500));
    base = sink.messages;
    const done = sink.waitFor(base + N, 300_000);
    const cpu0 = cpuMs(mailroom.pid);
    const t0 = performance.now();
    const accepted = submit(W, N).then((r) => ({ ...r, at: performance.now() }));
    const tEnd = await done;
    const cpu1 = cpuMs(mailroom.pid);
    const acc = await accepted;
    await new Promise((r) => setTimeout(r, 300));
    if (strace) {
      strace.kill('SIGINT');
      await new Promise((r) => strace.once('exit', r));
    }
    const after = await snapshot();
    const seconds = (tEnd - t0) / 1000;
    process.stdout.write(`${backend} ${values.mode}: ${N} messages in ${seconds.toFixed(2)} s = ${Math.round(N / seconds)} msgs/s `
      + `(accepted in ${((acc.at - t0) / 1000).toFixed(2)} s); CPU ${((cpu1 - cpu0) / N).toFixed(2)} ms/msg; peak RSS ${peakRssMb(mailroom.pid)} MB${strace ? ' (under strace: slower)' : ''}\n`);
    const rows = Object.entries(after).map(([sql, a]) => {
      const b = before[sql] ?? { count: 0, ms: 0 };
      return { sql, count: a.count - b.count, ms: a.ms - b.ms };
    }).filter((r) => r.count > 0).sort((x, y) => y.ms - x.ms);
    const totalCount = rows.reduce((s, r) => s + r.count, 0);
    const totalMs = rows.reduce((s, r) => s + r.ms, 0);
    process.stdout.write(`\nSQL statements: ${(totalCount / N).toFixed(2)} per message, ${(totalMs / N).toFixed(2)} ms per message in them (SQLite: on the event loop; PostgreSQL: round trips, overlapping)\n`);
    process.stdout.write('  per msg   ms/msg  statement\n');
    for (const r of rows.slice(0, Number(values.top))) process.stdout.write(`${(r.count / N).toFixed(3).padStart(9)} ${(r.ms / N).toFixed(3).padStart(8)}  ${r.sql}\n`);
    if (strace) {
      const text = fs.readFileSync(straceOut, 'utf8');
      process.stdout.write('\nSystem calls over the window (strace -c -f), per message:\n');
      for (const line of text.split('\n')) {
        const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
        if (m && ['fsync', 'fdatasync', 'pwrite64', 'pread64', 'write', 'writev', 'read', 'epoll_pwait', 'epoll_wait', 'futex'].includes(m[2]!)) {
          process.stdout.write(`  ${m[2]!.padEnd(12)} ${(Number(m[1]) / N).toFixed(2)}\n`);
        }
      }
    }
  } finally {
    await mailroom.close();
    await sink.close();
    if (values['cpu-prof']) process.stdout.write(`\nCPU profile and log kept in ${mailroom.dataDir}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`profile-mailroom: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
