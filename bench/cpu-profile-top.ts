// Reads a .cpuprofile (node --cpu-prof) and prints where the time went: the top functions by self
// time, and self time summed per file/package, so a profile can be read without a browser.
//
//   node_modules/.bin/node bench/cpu-profile-top.ts PROFILE.cpuprofile [--top 30]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[]; hitCount?: number }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
const file = positionals[0];
if (!file) {
  process.stderr.write('Usage: node bench/cpu-profile-top.ts PROFILE.cpuprofile [--top 30]\n');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const top = Number(values.top);

// Self time per node: each sample's delta goes to the node sampled.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idleUs = [...selfUs.entries()].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)).reduce((a, [, v]) => a + v, 0);

function where(url: string): string {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

const fnSelf = new Map<string, number>();
const fileSelf = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${where(f.url)}:${f.lineNumber + 1}`;
  fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
  const w = where(f.url);
  fileSelf.set(w, (fileSelf.get(w) ?? 0) + us);
}

// Inclusive time per source file and per function of this repository (src/…): samples whose
// stack passes through it (async functions: only the synchronous part of each resumption).
const inclusive = new Map<string, number>();
const inclusiveFn = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    const w = where(f.url);
    if (!w.startsWith('src/')) continue;
    const fn = `${f.functionName || '(anonymous)'}  ${w}:${f.lineNumber + 1}`;
    for (const [key, m] of [[w, inclusive], [fn, inclusiveFn]] as const) {
      if (seen.has(key)) continue;
      seen.add(key);
      m.set(key, (m.get(key) ?? 0) + us);
    }
  }
}

const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(v)} ms ${pct(v)}  ${k}\n`);
};
process.stdout.write(`${file}\nsampled ${(totalUs / 1000).toFixed(0)} ms, of which idle/program ${(idleUs / 1000).toFixed(0)} ms\n`);
print('Self time by function', fnSelf);
print('Self time by package / file', fileSelf);
print('Inclusive time by src/ file', inclusive);
print('Inclusive time by src/ function', inclusiveFn);
