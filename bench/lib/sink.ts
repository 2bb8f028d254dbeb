// The sink every kind delivers into: Postfix's smtp-sink (C, cheap), with -c, which writes running
// counters ("sess=3 quit=3 mesg=3\r") each time a session ends, QUIT is received or a message's "."
// is received. Its stdout is a pipe it flushes itself; `mesg` is the number of messages accepted
// so far, so a run waits until mesg reaches the count at its start plus N.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { track } from './children.ts';
import { waitForListener } from './ports.ts';

export const SMTP_SINK = '/usr/sbin/smtp-sink';

export interface Sink {
  port: number;
  pid: number;
  /** Messages received so far (the last `mesg=` counter). */
  readonly messages: number;
  /** Resolves with performance.now() at the moment `mesg` reached `target`; rejects after timeoutMs. */
  waitFor(target: number, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export async function startSink(port: number): Promise<Sink> {
  if (!fs.existsSync(SMTP_SINK)) throw new Error(`${SMTP_SINK} not found: install Debian's postfix package (the daemon need not run)`);
  // As root, smtp-sink refuses to run without -u. -m: sessions at once (Haraka opens one per delivery).
  const args = [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), '-c', '-m', '1000', `127.0.0.1:${port}`, '1000'];
  const child: ChildProcess = track(spawn(SMTP_SINK, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let messages = 0;
  let waiter: { target: number; resolve: (t: number) => void } | null = null;
  let stderr = '';
  let tail = '';
  child.stdout!.setEncoding('latin1');
  child.stdout!.on('data', (chunk: string) => {
    const at = performance.now();
    const parts = (tail + chunk).split('\r');
    tail = parts.pop() ?? '';
    for (const part of parts) {
      const m = /mesg=(\d+)/.exec(part);
      if (m) messages = Math.max(messages, Number(m[1]));
    }
    if (waiter && messages >= waiter.target) {
      const w = waiter;
      waiter = null;
      w.resolve(at);
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => { stderr += c; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForListener(port, 5_000),
      exited.then(() => { throw new Error(`smtp-sink exited at start: ${stderr.trim()}`); }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    get messages() { return messages; },
    waitFor(target, timeoutMs) {
      if (messages >= target) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`timed out after ${timeoutMs} ms: the sink has ${messages} messages, waiting for ${target}`));
        }, timeoutMs);
        waiter = { target, resolve: (t) => { clearTimeout(timer); resolve(t); } };
      });
    },
    async close() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
