// `npm test`: type-check, build the web UI (the browser tests load it), then every test file under
// test/ with Node's test runner — two files at a time, matching this machine's two cores.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function run(label: string, command: string, args: string[]): void {
  process.stdout.write(`\n> ${label}\n`);
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (res.status !== 0) {
    process.stderr.write(`\n${label} failed (exit ${res.status ?? res.signal})\n`);
    process.exit(res.status ?? 1);
  }
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'support' || e.name === 'fixtures' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [path.relative(root, p)] : [];
  }).sort();
}

const only = process.argv.slice(2);
run('type-check', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
run('build web UI', bin('vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
const files = only.length ? only : testFiles(path.join(root, 'test'));
run(`tests (${files.length} files)`, process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=180000', ...files]);
