// Servers on 127.0.0.1, port 0, that the probe tests talk to: smtp-server instances scripted to
// give one particular answer, and raw TCP servers that speak something else or nothing at all.
import net, { type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Every test server's options start from here: quiet, and no delay before the greeting. */
export const QUIET: SMTPServerOptions = { logger: false, disableReverseLookup: true, name: 'probe-test.localhost', banner: 'Probe test server' };

export async function startSmtpServer(options: SMTPServerOptions): Promise<RunningServer> {
  const server = new SMTPServer({ ...QUIET, ...options });
  server.on('error', () => {}); // a client hanging up mid-TLS is expected in these tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A raw TCP server; `onConnection` decides what (if anything) the peer hears. */
export async function startRawServer(onConnection: (socket: Socket) => void): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port on 127.0.0.1 where nothing listens: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
