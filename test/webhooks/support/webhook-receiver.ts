// A webhook receiver on 127.0.0.1 (port chosen by the kernel) that does what a customer's endpoint
// should: verify Mailroom-Signature with the secret it was given, then answer. Tests script the
// status per request and read back every request with its verdict.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../../src/core/webhooks/webhook-signature.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The signature verified with `receiver.secret` at the time of receipt. */
  verified: boolean;
  json: any;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  /** The secret Mailroom gave us; null accepts nothing as verified. */
  secret: string | null;
  received: ReceivedRequest[];
  /** Status to answer the nth request (1-based); default 200. */
  respond: (n: number, request: ReceivedRequest) => number | { status: number; body?: string; headers?: Record<string, string> } | 'hang';
  close(): Promise<void>;
}

export async function startWebhookReceiver(options: { nowSeconds?: () => number } = {}): Promise<WebhookReceiver> {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const hanging: http.ServerResponse[] = [];
  const receiver: WebhookReceiver = {
    url: '', port: 0, secret: null, received: [], respond: () => 200, close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: any = null;
      try { json = JSON.parse(body); } catch { /* not JSON */ }
      const request: ReceivedRequest = {
        method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json,
        verified: receiver.secret !== null && verifySignature(receiver.secret, req.headers['mailroom-signature'] as string | undefined, body, nowSeconds()),
      };
      receiver.received.push(request);
      const answer = receiver.respond(receiver.received.length, request);
      if (answer === 'hang') { hanging.push(res); return; }
      const { status, body: text = '', headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
      res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}`;
  receiver.close = () => new Promise<void>((resolve) => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}
