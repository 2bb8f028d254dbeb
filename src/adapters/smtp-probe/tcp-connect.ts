// Opens the TCP connection to the checked address. The connector is injectable so a test can
// stand in a socket that never completes its handshake: the only honest way to produce a connect
// timeout when the tests may reach nothing but loopback (see test/diagnostics/probe-codes.test.ts).
import net, { type Socket } from 'node:net';

export type TcpConnector = (target: { host: string; port: number }) => Socket;

export const netConnector: TcpConnector = (target) => net.connect({ host: target.host, port: target.port });

export type TcpConnectFailureKind = 'refused' | 'timeout';

export class TcpConnectError extends Error {
  readonly kind: TcpConnectFailureKind;
  readonly code: string;

  constructor(kind: TcpConnectFailureKind, code: string) {
    super(kind === 'refused' ? `connection refused (${code})` : `no answer to connect (${code})`);
    this.name = 'TcpConnectError';
    this.kind = kind;
    this.code = code;
  }
}

// A reset during the handshake is a refusal by another name (a firewall's REJECT --tcp-reset).
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET']);

export function connectTcp(connector: TcpConnector, target: { host: string; port: number }, timeoutMs: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connector(target);
    const onAbort = (): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new TcpConnectError('timeout', 'ABORTED'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(new TcpConnectError('timeout', 'ETIMEDOUT'));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const onError = (err: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      const code = err.code ?? 'ERROR';
      // Unreachable networks and hosts look the same to the user as a silent firewall.
      reject(new TcpConnectError(REFUSED_CODES.has(code) ? 'refused' : 'timeout', code));
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
