// A real SMTP server (smtp-server on loopback) whose answers a test scripts per call: what to say
// to AUTH, to each RCPT and to each message; it records what it received.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface Received {
  raw: string;
  rcpt: string[];
  mailFrom: string;
}

type Reply = null | { code: number; message: string } | 'drop';

export interface SinkScript {
  password?: string;
  rcpt?: (address: string, n: number) => Reply;
  data?: (n: number) => Reply;
}

export interface ScriptedSink {
  port: number;
  received: Received[];
  logins: number;
  connections: number;
  script: SinkScript;
  close(): Promise<void>;
}

const err = (r: { code: number; message: string }) => Object.assign(new Error(r.message), { responseCode: r.code });

export async function startScriptedSink(script: SinkScript = {}): Promise<ScriptedSink> {
  let rcptCount = 0;
  let dataCount = 0;
  const sink: ScriptedSink = { port: 0, received: [], logins: 0, connections: 0, script, close: async () => {} };
  const server: SMTPServer = new SMTPServer({
    logger: false, disableReverseLookup: true, disabledCommands: ['STARTTLS'], allowInsecureAuth: true,
    authOptional: !script.password,
    onConnect(_s, cb) { sink.connections++; cb(); },
    onAuth(auth, _s, cb) {
      sink.logins++;
      if (auth.password === sink.script.password) cb(null, { user: auth.username });
      else cb(err({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(address, _s, cb) {
      const reply = sink.script.rcpt?.(address.address, ++rcptCount) ?? null;
      if (reply && reply !== 'drop') cb(err(reply));
      else cb();
    },
    onData(stream, session: SMTPServerSession, cb) {
      let raw = '';
      stream.on('data', (d: Buffer) => { raw += d.toString('utf8'); });
      stream.on('end', () => {
        const reply = sink.script.data?.(++dataCount) ?? null;
        if (reply === 'drop') {
          // The server has the message but the connection dies before its 250: "possibly delivered".
          sink.received.push({ raw, rcpt: session.envelope.rcptTo.map((r) => r.address), mailFrom: String(session.envelope.mailFrom && session.envelope.mailFrom.address) });
          const connection = [...((server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections)].find((c) => c.id === session.id);
          connection?._socket.destroy();
          return;
        }
        if (reply) return cb(err(reply));
        sink.received.push({ raw, rcpt: session.envelope.rcptTo.map((r) => r.address), mailFrom: String(session.envelope.mailFrom && session.envelope.mailFrom.address) });
        cb();
      });
    },
  });
  server.on('error', () => {}); // dropped connections are scripted, not failures of the sink
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}
