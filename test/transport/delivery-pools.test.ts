// The delivery transport's pools: one per server, reused across messages up to maxConnections
// connections, replaced when the server's settings or secret change, rebuilt (and its host
// resolved again) after its connection failed or it grew old, and closed by close().
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostResolver } from '../../src/adapters/smtp-probe/host-resolver.ts';
import type { Clock } from '../../src/core/ports.ts';
import { closedPort, envelope, loopbackTransport, serverConnection, startCapturingServer, summary } from './support/delivery-fixtures.ts';

function countingResolver(): HostResolver & { lookups: number } {
  const resolver = {
    lookups: 0,
    async resolve(): Promise<string[]> {
      resolver.lookups++;
      return ['127.0.0.1'];
    },
  };
  return resolver;
}

function acceptingAuthServer(users: string[] = []) {
  return startCapturingServer({
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      users.push(`${auth.username}:${auth.password}`);
      callback(null, { user: auth.username });
    },
  });
}

describe('delivery pools', () => {
  it('50 messages to one server open at most maxConnections connections', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const connection = serverConnection(server.port, { maxConnections: 3 });
      const results = await Promise.all(Array.from({ length: 50 }, () => transport.send(connection, envelope())));
      assert.ok(results.every((r) => r.kind === 'sent'), results.filter((r) => r.kind !== 'sent').map(summary).join('\n'));
      assert.equal(server.messages.length, 50);
      assert.ok(server.connections() <= 3, `opened ${server.connections()} connections`);
      assert.ok(server.peakConnections() <= 3);
      // Sequential sends reuse the open connections: no new ones.
      const before = server.connections();
      for (let i = 0; i < 5; i++) assert.equal((await transport.send(connection, envelope())).kind, 'sent');
      assert.equal(server.connections(), before);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('keeps connections past nodemailer\'s default of 100 messages per connection', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const connection = serverConnection(server.port, { maxConnections: 1 });
      for (let i = 0; i < 120; i++) assert.equal((await transport.send(connection, envelope())).kind, 'sent');
      assert.equal(server.connections(), 1);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a changed password creates a new pool and closes the old one', async () => {
    const users: string[] = [];
    const server = await acceptingAuthServer(users);
    const resolver = countingResolver();
    const transport = loopbackTransport({ resolver });
    try {
      const first = serverConnection(server.port, { host: 'mail.example.test', authEnabled: true, username: 'user@example.com', password: 'old-password', maxConnections: 1 });
      assert.equal((await transport.send(first, envelope())).kind, 'sent');
      assert.equal((await transport.send(first, envelope())).kind, 'sent');
      assert.equal(server.connections(), 1);
      assert.equal(resolver.lookups, 1);

      const changed = { ...first, password: 'new-password' };
      assert.equal((await transport.send(changed, envelope())).kind, 'sent');
      assert.equal(server.connections(), 2, 'a new connection for the new settings');
      assert.equal(resolver.lookups, 2, 'the host is resolved again for the new pool');
      assert.deepEqual(users, ['user@example.com:old-password', 'user@example.com:new-password']);
      await server.waitFor(() => server.openConnections() === 1); // the old pool's connection closes
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('each settings field that reaches the connection makes a new pool; the same settings do not', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const base = serverConnection(server.port, { maxConnections: 1 });
      await transport.send(base, envelope());
      await transport.send(structuredClone(base), envelope());
      assert.equal(server.connections(), 1);
      await transport.send({ ...base, maxConnections: 2 }, envelope());
      assert.equal(server.connections(), 2);
      await transport.send({ ...base, maxConnections: 2, server: { ...base.server, host: 'localhost' } }, envelope());
      assert.equal(server.connections(), 3);
      await transport.send({ ...base, maxConnections: 2, server: { ...base.server, host: 'localhost', allowInvalidCert: true } }, envelope());
      assert.equal(server.connections(), 4);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('pools are per server: two servers with the same settings do not share connections', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const a = serverConnection(server.port, { id: 'server-a', maxConnections: 1 });
      const b = serverConnection(server.port, { id: 'server-b', maxConnections: 1 });
      await transport.send(a, envelope());
      await transport.send(b, envelope());
      await transport.send(a, envelope());
      assert.equal(server.connections(), 2);
      await transport.close('server-a');
      await server.waitFor(() => server.openConnections() === 1);
      assert.equal((await transport.send(b, envelope())).kind, 'sent');
      assert.equal(server.connections(), 2, 'server-b kept its pool');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('close() closes every connection; a later message opens a new pool', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const connection = serverConnection(server.port, { maxConnections: 2 });
      await Promise.all([transport.send(connection, envelope()), transport.send(connection, envelope())]);
      await transport.close();
      await server.waitFor(() => server.openConnections() === 0);
      assert.equal((await transport.send(connection, envelope())).kind, 'sent');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a pool whose connection failed is rebuilt, resolving the host again', async () => {
    const resolver = countingResolver();
    const transport = loopbackTransport({ resolver });
    try {
      const connection = serverConnection(await closedPort(), { host: 'mail.example.test' });
      const first = await transport.send(connection, envelope());
      assert.equal(first.code, 'CONNECTION_REFUSED');
      const second = await transport.send(connection, envelope());
      assert.equal(second.code, 'CONNECTION_REFUSED');
      assert.equal(resolver.lookups, 2);
    } finally {
      await transport.close();
    }
  });

  it('a pool older than poolMaxAgeMs is replaced at the next message; the old one closes', async () => {
    const server = await startCapturingServer();
    const resolver = countingResolver();
    let nowMs = Date.parse('2026-02-03T04:05:06Z');
    const clock: Clock = { now: () => new Date(nowMs) };
    const transport = loopbackTransport({ resolver, clock, poolMaxAgeMs: 60_000 });
    try {
      const connection = serverConnection(server.port, { host: 'mail.example.test', maxConnections: 1 });
      await transport.send(connection, envelope());
      nowMs += 59_000;
      await transport.send(connection, envelope());
      assert.deepEqual([resolver.lookups, server.connections()], [1, 1]);
      nowMs += 2_000;
      assert.equal((await transport.send(connection, envelope())).kind, 'sent');
      assert.deepEqual([resolver.lookups, server.connections()], [2, 2]);
      await server.waitFor(() => server.openConnections() === 1);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('messages queued in a pool whose settings change come back as temporary, not sent with the old settings', async () => {
    const users: string[] = [];
    const server = await acceptingAuthServer(users);
    const transport = loopbackTransport();
    try {
      const old = serverConnection(server.port, { authEnabled: true, username: 'user@example.com', password: 'old-password', maxConnections: 1 });
      const queued = Array.from({ length: 5 }, () => transport.send(old, envelope()));
      const fresh = transport.send({ ...old, password: 'new-password' }, envelope());
      const results = await Promise.all([...queued, fresh]);
      const last = results.at(-1)!;
      assert.equal(last.kind, 'sent', summary(last));
      for (const result of results.slice(0, -1)) {
        assert.ok(result.kind === 'sent' || (result.kind === 'temporary' && !result.possiblyDelivered), summary(result));
      }
      assert.ok(results.slice(0, -1).some((r) => r.kind === 'temporary'), 'the old pool had messages waiting');
    } finally {
      await transport.close();
      await server.close();
    }
  });
});
