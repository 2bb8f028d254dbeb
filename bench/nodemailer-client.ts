// A pooled nodemailer client in its own process (so its CPU is measured apart from the driver).
// Two uses: the "nodemailer direct" anchor (it is the thing measured), and the load that feeds
// Haraka (there it only drives). Started by delivery-bench.ts with an IPC channel:
//
//   argv: --port P [--connections 10] [--window 200] [--no-delay]
//   parent → child: { cmd: 'prepare', first, count, mode: 'fields' | 'raw', tag } → { prepared }
//   parent → child: { cmd: 'send' }    (the prepared batch)                       → { sent, failed, firstError, ms }
//   parent → child: { cmd: 'close' }                                               → exits
import net from 'node:net';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { FROM, nodemailerFields, rawMessage, recipient } from './lib/messages.ts';

export interface PrepareCommand {
  cmd: 'prepare';
  first: number;
  count: number;
  mode: 'fields' | 'raw';
  tag: string;
}
export interface SendReport {
  sent: number;
  failed: number;
  firstError: string | null;
  ms: number;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    connections: { type: 'string', default: '10' },
    window: { type: 'string', default: '200' },
    'no-delay': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const window = Number(values.window);

const transport = nodemailer.createTransport({
  pool: true,
  host: '127.0.0.1',
  port,
  secure: false,
  ignoreTLS: true,
  maxConnections: Number(values.connections),
  // The default (100) closes each connection after 100 messages and pauses 100 ms (PERFORMANCE.md).
  maxMessages: Infinity,
  logger: false,
  debug: false,
  // Same socket treatment as Mailroom's transport (src/adapters/transport/delivery-socket.ts):
  // Nagle off, so the final "." is not held back for a delayed ACK.
  ...(values['no-delay'] ? {
    getSocket: (_options: unknown, callback: (err: Error | null, s: { connection: net.Socket } | null) => void) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
      socket.once('connect', () => callback(null, { connection: socket }));
      socket.once('error', (err) => callback(err, null));
    },
  } : {}),
});

type Prepared = ReturnType<typeof nodemailerFields> | { envelope: { from: string; to: string[] }; raw: string };
let prepared: Prepared[] = [];

/** Builds the message objects before the clock starts; `raw` ones are pre-rendered MIME. */
function prepare(command: PrepareCommand): number {
  const build = (i: number): Prepared => (command.mode === 'raw'
    ? { envelope: { from: FROM, to: [recipient(i)] }, raw: rawMessage(i, command.tag) }
    : nodemailerFields(i));
  prepared = Array.from({ length: command.count }, (_, k) => build(command.first + k));
  return prepared.length;
}

async function send(): Promise<SendReport> {
  const started = performance.now();
  const batch = prepared;
  prepared = [];
  let next = 0;
  let sent = 0;
  let failed = 0;
  let firstError: string | null = null;
  const lane = async () => {
    while (next < batch.length) {
      const i = next++;
      try {
        await transport.sendMail(batch[i]!);
        sent++;
      } catch (err) {
        failed++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, batch.length) }, lane));
  return { sent, failed, firstError, ms: performance.now() - started };
}

process.on('message', (msg: PrepareCommand | { cmd: 'send' } | { cmd: 'close' }) => {
  if (msg.cmd === 'close') {
    transport.close();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 50).unref();
  } else if (msg.cmd === 'prepare') {
    process.send!({ prepared: prepare(msg) });
  } else {
    send().then((report) => process.send!(report), (err: unknown) => process.send!({ sent: 0, failed: 0, firstError: String(err), ms: 0 }));
  }
});
process.send!({ ready: true });
