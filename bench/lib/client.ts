// Starts bench/nodemailer-client.ts as a child process and talks to it over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { PrepareCommand, SendReport } from '../nodemailer-client.ts';
import { track } from './children.ts';

const CLIENT = path.resolve(import.meta.dirname, '..', 'nodemailer-client.ts');

export interface NodemailerClient {
  pid: number;
  prepare(command: Omit<PrepareCommand, 'cmd'>): Promise<number>;
  send(): Promise<SendReport>;
  close(): Promise<void>;
}

export async function startNodemailerClient(o: { port: number; connections: number; noDelay: boolean }): Promise<NodemailerClient> {
  const child: ChildProcess = track(fork(CLIENT, ['--port', String(o.port), '--connections', String(o.connections), ...(o.noDelay ? ['--no-delay'] : [])], {
    execPath: process.execPath,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const reply = <T>(): Promise<T> => new Promise((resolve, reject) => {
    const onExit = () => reject(new Error('nodemailer client exited'));
    child.once('exit', onExit);
    child.once('message', (m) => { child.off('exit', onExit); resolve(m as T); });
  });
  await reply<{ ready: true }>();
  return {
    pid: child.pid!,
    async prepare(command) {
      const r = reply<{ prepared: number }>();
      child.send({ cmd: 'prepare', ...command });
      return (await r).prepared;
    },
    async send() {
      const r = reply<SendReport>();
      child.send({ cmd: 'send' });
      return r;
    },
    async close() {
      if (child.connected) child.send({ cmd: 'close' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
