// The password (or OAuth2 token) never leaves the transport: not in any DeliveryResult field, not in
// any logger call — even when a hostile server echoes it, raw or in the frames that carried it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthMechanism } from '../../src/core/model.ts';
import type { DeliveryResult } from '../../src/core/outbound/delivery-types.ts';
import { createCaptureLogger } from '../support/capture-logger.ts';
import { envelope, loopbackTransport, serverConnection, startScriptedSmtpServer, summary } from './support/delivery-fixtures.ts';

const PASSWORD = 'Tr0ub4dor&3-hunter2';
const USER = 'user@example.com';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const FORBIDDEN = [PASSWORD, b64(PASSWORD), b64(`\0${USER}\0${PASSWORD}`), b64(`user=${USER}\x01auth=Bearer ${PASSWORD}\x01\x01`)];

/** Everything the client sent in an AUTH exchange, decoded too, as a hostile server would echo it. */
function echo(line: string): string {
  const frame = line.split(' ').at(-1) ?? '';
  const decoded = Buffer.from(frame, 'base64').toString('utf8');
  return `${line} decoded=${decoded} again=${decoded.replace(/[\0\x01]/g, ' ')}`;
}

function assertClean(result: DeliveryResult, logText: string): void {
  const resultText = JSON.stringify(result);
  for (const form of FORBIDDEN) {
    assert.ok(!resultText.includes(form), `the result holds a form of the secret: ${resultText}`);
    assert.ok(!logText.includes(form), `a log entry holds a form of the secret: ${logText}`);
  }
}

describe('delivery never discloses the secret', () => {
  for (const mechanism of ['plain', 'login', 'xoauth2'] as AuthMechanism[]) {
    it(`${mechanism.toUpperCase()}: a server that echoes the credentials in its 535`, async () => {
      const server = await startScriptedSmtpServer({
        ehlo: ['AUTH PLAIN LOGIN XOAUTH2'],
        auth: (line) => `535 5.7.8 Authentication failed for ${echo(line)}`,
      });
      const logger = createCaptureLogger();
      const transport = loopbackTransport({ logger });
      try {
        const result = await transport.send(serverConnection(server.port, { authEnabled: true, authMechanism: mechanism, username: USER, password: PASSWORD }), envelope());
        assert.equal(result.kind, 'config', summary(result));
        assert.equal(result.code, 'AUTH_FAILED');
        assert.match(result.replyText ?? '', /\[credentials hidden\]/, 'the echo is still shown, without the secret');
        // The server really did receive (and echo) the secret: the check above is not vacuous.
        assert.ok(server.sessions[0]!.lines.some((line) => FORBIDDEN.some((form) => line.includes(form))));
        assert.ok(logger.entries.length > 0);
        assertClean(result, logger.text());
      } finally {
        await transport.close();
        await server.close();
      }
    });
  }

  it('a server that accepts the login and puts the password in a later refusal', async () => {
    const server = await startScriptedSmtpServer({
      afterData: (socket) => socket.write(`554-5.7.1 Rejected: the password ${PASSWORD} is listed\r\n554 5.7.1 (${b64(PASSWORD)})\r\n`),
    });
    const logger = createCaptureLogger();
    const transport = loopbackTransport({ logger });
    try {
      const result = await transport.send(serverConnection(server.port, { authEnabled: true, authMechanism: 'login', username: USER, password: PASSWORD }), envelope(['one@example.com', 'two@example.com']));
      assert.equal(result.kind, 'permanent', summary(result));
      assert.equal(result.replyCode, 554);
      assert.ok(result.replyText && !result.replyText.includes('\n'));
      assert.ok(result.recipients.every((r) => r.replyText?.includes('[credentials hidden]')));
      assertClean(result, logger.text());
    } finally {
      await transport.close();
      await server.close();
    }
  });
});
