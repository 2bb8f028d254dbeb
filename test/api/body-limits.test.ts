// Request bodies are size-limited whether their length is declared (Content-Length, checked before
// any byte is read) or not (chunked, counted as it arrives): 413 PAYLOAD_TOO_LARGE, nothing stored.
// And a body within the limit is read whole either way.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';

interface RawAnswer { status: number; body: any }

/** A POST with its body in the given pieces: chunked unless a Content-Length is among the headers. */
function rawPost(url: string, path: string, headers: Record<string, string>, chunks: string[]): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/api/v1${path}`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const inPieces = (body: string, size = 65_536) => Array.from({ length: Math.ceil(body.length / size) }, (_, i) => body.slice(i * size, (i + 1) * size));

describe('request body limits', () => {
  let t: TestApp;
  let api: ApiClient;
  let auth: Record<string, string>;
  before(async () => {
    t = await startTestApp();
    api = await setupRoot(t.url);
    const key = await api.post('/api-keys', { name: 'limits' });
    assert.equal(key.status, 201, key.text);
    auth = { authorization: `Bearer ${key.body.key}` };
  });
  after(() => t.close());

  const serversNamed = async (name: string) => (await api.get('/mail-servers')).body.items.filter((s: any) => s.name === name).length;

  it('reads a chunked body within the limit whole', async () => {
    const body = JSON.stringify(serverInput({ name: 'Chunked small' }));
    const answer = await rawPost(t.url, '/mail-servers', { ...auth, 'transfer-encoding': 'chunked' }, [body.slice(0, 10), body.slice(10)]);
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    assert.equal(answer.body.name, 'Chunked small');
  });

  it('refuses a chunked body over the limit as it arrives, storing nothing', async () => {
    const body = JSON.stringify(serverInput({ name: 'Chunked big', fromName: 'x'.repeat(2 * 1024 * 1024) }));
    const answer = await rawPost(t.url, '/mail-servers', { ...auth, 'transfer-encoding': 'chunked' }, inPieces(body));
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.code, 'PAYLOAD_TOO_LARGE');
    assert.equal(await serversNamed('Chunked big'), 0);
  });

  it('refuses a declared length over the limit, storing nothing', async () => {
    const body = JSON.stringify(serverInput({ name: 'Declared big', fromName: 'x'.repeat(2 * 1024 * 1024) }));
    const answer = await rawPost(t.url, '/mail-servers', { ...auth, 'content-length': String(Buffer.byteLength(body)) }, [body]);
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(answer.body.error.message, /at most 1024 KiB/);
    assert.equal(await serversNamed('Declared big'), 0);
  });

  it('gives messages their larger limit (attachments, batches of 1,000)', async () => {
    const padded = (bytes: number) => JSON.stringify({ to: ['a@example.com'], subject: 'big', text: 'x'.repeat(bytes) });
    const within = padded(2 * 1024 * 1024);
    const answer = await rawPost(t.url, '/messages', { ...auth, 'content-length': String(Buffer.byteLength(within)) }, [within]);
    assert.notEqual(answer.status, 413, JSON.stringify(answer.body));
    const over = padded(33 * 1024 * 1024);
    const refused = await rawPost(t.url, '/messages', { ...auth, 'transfer-encoding': 'chunked' }, inPieces(over, 1024 * 1024));
    assert.equal(refused.status, 413);
    assert.equal(refused.body.error.code, 'PAYLOAD_TOO_LARGE');
  });
});
