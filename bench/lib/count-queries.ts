// Preloaded into a Mailroom process by bench/profile-mailroom.ts (NODE_OPTIONS=--import …) to count
// the SQL statements it runs, without touching src/: better-sqlite3's prepare (Kysely's SQLite
// driver prepares every statement it runs) and pg's Client#query are wrapped. On SIGUSR2 the
// cumulative counts and the time spent in them are written to BENCH_QUERY_COUNT_FILE, so the
// profiler can take a difference around the measured window.
import fs from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

interface Tally { count: number; ms: number }
const tallies = new Map<string, Tally>();

/** One key per statement shape: literals and parameter lists folded, whitespace collapsed. */
function shape(sql: string): string {
  return sql.replace(/\s+/g, ' ').replace(/\((\s*(\?|\$\d+)\s*,?)+\)/g, '(…)').replace(/(\((…)\),?\s*)+/g, '(…) ').slice(0, 160).trim();
}

function tally(sql: string, ms: number): void {
  const key = shape(sql);
  const t = tallies.get(key) ?? { count: 0, ms: 0 };
  t.count++;
  t.ms += ms;
  tallies.set(key, t);
}

// SQLite: count at prepare, time the run/all/get of the prepared statement.
const proto = (BetterSqlite3 as unknown as { prototype: { prepare(sql: string): any } }).prototype;
const prepare = proto.prepare;
proto.prepare = function (this: unknown, sql: string) {
  const t0 = performance.now();
  const stmt = prepare.call(this, sql);
  // Charged to the statement's first run only: Mailroom keeps prepared statements
  // (open-database.ts), and adding it to every run overstated complex statements ~50× (pass 3).
  let prepMs = performance.now() - t0;
  for (const method of ['run', 'all', 'get', 'iterate'] as const) {
    const orig = stmt[method];
    if (typeof orig !== 'function') continue;
    stmt[method] = function (this: unknown, ...args: unknown[]) {
      const t1 = performance.now();
      try {
        return orig.apply(this, args);
      } finally {
        tally(sql, prepMs + performance.now() - t1);
        prepMs = 0;
      }
    };
  }
  return stmt;
};

// PostgreSQL: count each query; time it until its promise settles.
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
(pg.Client.prototype as { query: (...args: unknown[]) => unknown }).query = function (this: unknown, ...args: unknown[]) {
  const first = args[0] as string | { text?: string };
  const sql = typeof first === 'string' ? first : first?.text ?? '?';
  const t0 = performance.now();
  const result = query.apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === 'function') {
    (result as Promise<unknown>).then(() => tally(sql, performance.now() - t0), () => tally(sql, performance.now() - t0));
  } else {
    tally(sql, performance.now() - t0);
  }
  return result;
};

process.on('SIGUSR2', () => {
  const file = process.env.BENCH_QUERY_COUNT_FILE;
  if (!file) return;
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(tallies)));
});
