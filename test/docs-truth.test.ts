// Keeps the docs true to the code: every error code, every route and every variable is documented.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ERROR_CODES } from '../src/core/errors.ts';
import { startTestApp } from './support/app-harness.ts';

const doc = (name: string) => fs.readFileSync(path.join(import.meta.dirname, '..', 'docs', name), 'utf8');

describe('docs stay true to the code', () => {
  it('lists every error code with its HTTP status', () => {
    const text = doc('error-codes.md');
    for (const [code, { http }] of Object.entries(ERROR_CODES)) {
      assert.match(text, new RegExp(`\\| \`${code}\` \\| ${http} \\|`), `${code} missing or with the wrong status`);
    }
  });

  it('documents every route of the OpenAPI document in docs/api.md', async () => {
    const t = await startTestApp();
    try {
      const spec = await (await fetch(`${t.url}/api/v1/openapi.json`)).json() as { paths: Record<string, Record<string, unknown>> };
      const text = doc('api.md');
      for (const [p, methods] of Object.entries(spec.paths)) {
        const documented = p.replace(/\{(\w+)\}/g, ':$1');
        for (const method of Object.keys(methods)) {
          assert.ok(new RegExp(`\\| ${method.toUpperCase()} \\| \`${documented.replace(/[/.]/g, '\\$&')}[\`?]`).test(text), `${method.toUpperCase()} ${documented} is not in docs/api.md`);
        }
      }
    } finally {
      await t.close();
    }
  });

  it('documents every MAILROOM_ variable the code reads', () => {
    const src = path.join(import.meta.dirname, '..', 'src');
    const read = new Set<string>();
    const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else for (const m of fs.readFileSync(p, 'utf8').matchAll(/\bMAILROOM_[A-Z0-9_]+\b/g)) read.add(m[0]);
    });
    walk(src);
    const docs = doc('configuration.md') + (fs.existsSync(path.join(import.meta.dirname, '..', 'docs', 'secrets.md')) ? doc('secrets.md') : '') + (fs.existsSync(path.join(import.meta.dirname, '..', 'docs', 'diagnostics.md')) ? doc('diagnostics.md') : '');
    const missing = [...read].filter((v) => !docs.includes(v));
    assert.deepEqual(missing, []);
  });
});
