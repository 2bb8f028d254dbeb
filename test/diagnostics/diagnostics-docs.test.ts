// docs/diagnostics.md states every result code with the table's own message and fix, so the page
// cannot drift from src/core/diagnostics/result-codes.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PROBE_CODES } from '../../src/core/diagnostics/result-codes.ts';

const page = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|');

describe('docs/diagnostics.md', () => {
  for (const [code, entry] of Object.entries(PROBE_CODES)) {
    it(`lists ${code} with its message and fix`, () => {
      const row = page.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
      assert.ok(row, `no row for ${code}`);
      assert.ok(row.includes(`| ${escapeCell(entry.message)} |`), `${code}: message differs from result-codes.ts`);
      assert.ok(row.endsWith(`| ${entry.fix === null ? '—' : escapeCell(entry.fix)} |`), `${code}: fix differs from result-codes.ts`);
    });
  }
});
