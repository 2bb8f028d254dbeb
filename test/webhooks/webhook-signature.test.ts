// The signature scheme a receiver relies on: Mailroom-Signature: t=<unix seconds>,v1=<hex HMAC>.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { generateWebhookSecret, signatureHeader, verifySignature } from '../../src/core/webhooks/webhook-signature.ts';

describe('webhook signatures', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ id: 'evt_1', type: 'message.sent', data: { messageId: 'm1' } });
  const t = 1_800_000_000;

  it('makes a 32-byte secret, different each time', () => {
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(secret.slice(6), 'base64url').length, 32);
    assert.notEqual(generateWebhookSecret(), secret);
  });

  it('signs "<t>.<raw body>" with HMAC-SHA256, as the docs tell receivers to recompute', () => {
    const header = signatureHeader(secret, t, body);
    const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    assert.equal(header, `t=${t},v1=${expected}`);
  });

  it('verifies the signed body and refuses a tampered one, another secret, or an old timestamp', () => {
    const header = signatureHeader(secret, t, body);
    assert.equal(verifySignature(secret, header, body, t + 10), true);
    assert.equal(verifySignature(secret, header, body.replace('m1', 'm2'), t + 10), false, 'tampered body');
    assert.equal(verifySignature(secret, header.replace(`t=${t}`, `t=${t + 1}`), body, t + 10), false, 'tampered timestamp');
    assert.equal(verifySignature(generateWebhookSecret(), header, body, t + 10), false, 'another secret');
    assert.equal(verifySignature(secret, header, body, t + 301), false, 'replayed after the tolerance');
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=${t},v1=zz`, `t=x,v1=${'0'.repeat(64)}`]) {
      assert.equal(verifySignature(secret, bad, body, t), false, String(bad));
    }
  });
});
