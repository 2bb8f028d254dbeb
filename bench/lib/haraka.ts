// Haraka (from npm, installed in bench/node_modules by `cd bench && npm install`) configured as an
// outbound relay: it listens on a free loopback port, lets its one client relay, writes each
// message to its outbound queue (a queue file, fsync'd, renamed into place) before answering 250,
// and delivers from the queue to the sink (plugin bench/haraka/plugins/bench_relay.js routes every
// domain there). No other plugin runs. One process (nodes=0: no cluster), so its CPU and peak
// RSS are read from one pid.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { track } from './children.ts';
import { freePort, waitForListener } from './ports.ts';

const BENCH_DIR = path.resolve(import.meta.dirname, '..');
export const HARAKA_BIN = path.join(BENCH_DIR, 'node_modules', 'haraka', 'bin', 'haraka');

export interface HarakaOptions {
  sinkPort: number;
  /** Haraka's log level (its default is info). */
  logLevel: string;
  /** outbound.ini concurrency_max: deliveries at once (Haraka's default is 10000). */
  concurrencyMax: number | null;
}

export interface Haraka {
  pid: number;
  port: number;
  version: string;
  close(): Promise<void>;
}

export function harakaInstalled(): boolean {
  return fs.existsSync(HARAKA_BIN);
}

export async function startHaraka(o: HarakaOptions): Promise<Haraka> {
  if (!harakaInstalled()) throw new Error(`Haraka is not installed: run \`cd bench && npm install\` (${HARAKA_BIN} missing)`);
  const version = JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', 'haraka', 'package.json'), 'utf8')).version as string;
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'haraka-bench-'));
  const config = path.join(dir, 'config');
  // Haraka's shipped config first (as `haraka -i` would lay it out: sections such as [message] in
  // connection.ini are expected), then the benchmark's own files over it.
  fs.cpSync(path.join(BENCH_DIR, 'node_modules', 'haraka', 'config'), config, { recursive: true });
  fs.mkdirSync(path.join(dir, 'plugins'));
  fs.mkdirSync(path.join(dir, 'queue'));
  fs.copyFileSync(path.join(BENCH_DIR, 'haraka', 'plugins', 'bench_relay.js'), path.join(dir, 'plugins', 'bench_relay.js'));
  const haraka_log_level = ['debug', 'info', 'notice', 'warn', 'error'].includes(o.logLevel) ? o.logLevel : 'info';
  const files: Record<string, string> = {
    'smtp.ini': `listen=127.0.0.1:${port}\nnodes=0\n`,
    plugins: 'bench_relay\n',
    'outbound.ini': ['enable_tls=false', 'local_mx_ok=true', ...(o.concurrencyMax ? [`concurrency_max=${o.concurrencyMax}`] : [])].join('\n') + '\n',
    'log.ini': `[main]\nlevel=${haraka_log_level}\ntimestamps=false\nformat=default\n`,
    me: 'haraka.bench.example\n',
    host_list: 'haraka.bench.example\n',
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(config, name), text);

  const logFile = path.join(dir, 'haraka.log');
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = track(spawn(process.execPath, [HARAKA_BIN, '-c', dir], {
    cwd: dir,
    stdio: ['ignore', log, log],
    env: { ...process.env, BENCH_SINK_PORT: String(o.sinkPort) },
  }));
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL'); // nothing to keep: the queue folder is removed next
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForListener(port, 30_000),
      exited.then(() => { throw new Error(`haraka exited at start:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`); }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid!, port, version, close: stop };
}
