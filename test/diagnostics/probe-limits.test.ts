// What the probe does when a server misbehaves: the overall deadline holds whatever the stage
// limits are, bytes injected before TLS are thrown away (RFC 3207 §4.2), and oversized or endless
// replies are cut off instead of growing without bound.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import type { Socket } from 'node:net';
import { createSmtpProber } from '../../src/adapters/smtp-probe/smtp-prober.ts';
import { createSystemResolver } from '../../src/adapters/smtp-probe/host-resolver.ts';
import { createEgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import { startRawServer } from './support/scripted-servers.ts';
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts';
import { LOOPBACK_NETWORKS, loopbackProber, probeRequest } from './support/probe-fixtures.ts';

/** Answers SMTP commands line by line with `respond`; `respond` may return a new socket (after TLS). */
function lineServer(greeting: string, respond: (line: string, socket: Socket) => Socket | void): (socket: Socket) => void {
  return (initial) => {
    let socket: Socket = initial;
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const upgraded = respond(line, socket);
        if (upgraded) {
          socket.off('data', onData);
          socket = upgraded;
          socket.on('data', onData);
          buffer = '';
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.write(greeting);
  };
}

describe('probe limits', () => {
  let certs: TestCertificates;

  before(() => {
    certs = createTestCertificates();
  });
  after(() => certs.remove());

  it('ends at the overall deadline even when each stage may take longer', { timeout: 10_000 }, async () => {
    const silent = await startRawServer(() => {});
    try {
      // Default stage limits (10 s each); only the request's 1 s deadline can end this.
      const prober = createSmtpProber({ resolver: createSystemResolver(), egressPolicy: createEgressPolicy({ allowedNetworks: LOOPBACK_NETWORKS }) });
      const result = await prober.probe(probeRequest(silent.port, { timeoutMs: 1_000 }));
      assert.equal(result.code, 'GREETING_TIMEOUT');
      assert.match(result.message, /time limit of 1 s/);
      assert.ok(result.durationMs < 2_500, `took ${result.durationMs} ms`);
    } finally {
      await silent.close();
    }
  });

  it('discards what the server sends after its STARTTLS reply, before TLS', { timeout: 10_000 }, async () => {
    let secureEhlo = 0;
    const server = await startRawServer(lineServer('220 inject.example ESMTP\r\n', (line, socket) => {
      if (line.startsWith('EHLO') && !(socket instanceof tls.TLSSocket)) socket.write('250-inject.example\r\n250 STARTTLS\r\n');
      else if (line === 'STARTTLS') {
        // The injected reply would answer the client's next command (EHLO) if it were kept.
        socket.write('220 2.0.0 Ready to start TLS\r\n250-inject.example\r\n250 AUTH PLAIN\r\n');
        return new tls.TLSSocket(socket, { isServer: true, key: certs.valid.key, cert: certs.valid.cert });
      } else if (line.startsWith('EHLO')) {
        secureEhlo++;
        socket.write('250-inject.example\r\n250 SIZE 1000\r\n');
      } else if (line.startsWith('MAIL') || line.startsWith('RCPT')) socket.write('250 2.0.0 Ok\r\n');
      else if (line === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
      else socket.write('502 5.5.1 Not implemented\r\n');
    }));
    try {
      const result = await loopbackProber({ extraCaCertificates: [certs.caPem] }).probe(probeRequest(server.port, { security: 'starttls' }));
      assert.equal(result.code, 'OK', result.transcript.join('\n'));
      assert.equal(secureEhlo, 1);
      assert.ok(result.transcript.some((line) => /discarded \d+ bytes the server sent before TLS started/.test(line)));
      assert.deepEqual(result.offered.authMechanisms, [], 'the injected AUTH line was not taken as the EHLO reply');
      assert.equal(result.offered.maxSize, 1000);
    } finally {
      await server.close();
    }
  });

  it('cuts off a greeting line longer than SMTP allows (NOT_SMTP)', { timeout: 10_000 }, async () => {
    const flood = await startRawServer((socket) => socket.write(`220 ${'x'.repeat(10_000)}`));
    try {
      const result = await loopbackProber().probe(probeRequest(flood.port));
      assert.equal(result.code, 'NOT_SMTP');
      assert.ok(result.transcript.every((line) => line.length <= 601));
    } finally {
      await flood.close();
    }
  });

  it('cuts off an endless multi-line reply (PROTOCOL_ERROR)', { timeout: 10_000 }, async () => {
    const endless = await startRawServer(lineServer('220 endless.example ESMTP\r\n', (line, socket) => {
      if (line.startsWith('EHLO')) socket.write('250-endless\r\n'.repeat(1_000));
    }));
    try {
      const result = await loopbackProber().probe(probeRequest(endless.port));
      assert.equal(result.code, 'PROTOCOL_ERROR');
      assert.equal(result.stage, 'ehlo');
      assert.ok(result.transcript.length <= 401);
    } finally {
      await endless.close();
    }
  });

  it('refuses an invalid request before any connection', async () => {
    const prober = loopbackProber({ connector: () => { throw new Error('must not connect'); } });
    await assert.rejects(prober.probe(probeRequest(25, { heloName: 'evil\r\nRCPT TO:<x@y>' })), /heloName|Some fields are not valid/);
    await assert.rejects(prober.probe(probeRequest(25, { from: 'a@b.example>\r\nRCPT TO:<c@d.example' })), (err: Error & { fields?: { field: string }[] }) => err.fields?.[0]?.field === 'from');
    await assert.rejects(prober.probe(probeRequest(0)), (err: Error & { fields?: { field: string }[] }) => err.fields?.[0]?.field === 'port');
  });
});
