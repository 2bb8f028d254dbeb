// Opens the configured database: SQLite in the data folder by default, PostgreSQL when a
// postgres:// URL is given.
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver,
  type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDatabase, type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { CAPABILITIES, type DialectCapabilities } from './dialect-capabilities.ts';
import type { Database } from './schema.ts';

export interface OpenDatabase {
  db: Kysely<Database>;
  capabilities: DialectCapabilities;
  /** Where the data lives, for logs ("sqlite:/data/mailroom.db" or the URL without password). */
  description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  dataDir: string;
  databaseUrl: string | null;
  /** Told when an idle pooled connection dies (PostgreSQL restarted, connection killed). */
  onConnectionError?: (err: Error) => void;
}

// busy_timeout must come first: the other pragmas can themselves meet a lock. WAL lets readers
// proceed while one writer commits; synchronous=FULL because "accepted means stored" — a 202 or a
// 250 promises the row survives power loss, not just a process crash. foreign_keys is off by default
// in SQLite and our cascades depend on it.
const SQLITE_PRAGMAS = ['busy_timeout = 5000', 'journal_mode = WAL', 'synchronous = FULL', 'foreign_keys = ON'];

/**
 * Two corrections to Kysely's SQLite dialect, both about several processes sharing one data folder:
 * - SQLite does have transactional DDL; Kysely's adapter says it does not, so its migrator would
 *   run migrations outside any transaction and with no lock at all.
 * - Write transactions begin IMMEDIATE: the write lock is taken (waiting up to busy_timeout) before
 *   the first read, so a migration or a use case never reads a state another writer is about to
 *   change, and never fails mid-way upgrading a read lock (SQLITE_BUSY).
 */
class ImmediateSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw('rollback'));
    } catch (err) {
      // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite has already rolled the
      // transaction back by itself; the ROLLBACK then fails, and its error would replace the one
      // that says what happened (a full disk must reach the edge as STORAGE_LOW, not as a 500).
      if (!(err instanceof Error && /no transaction is active/.test(err.message))) throw err;
    }
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  private readonly sqliteConfig: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.sqliteConfig = config;
  }
  override createAdapter(): DialectAdapter {
    return new ImmediateSqliteAdapter();
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig);
  }
}

/**
 * better-sqlite3 as Kysely sees it, with prepared statements kept and reused. Kysely's SQLite driver
 * prepares every statement each time it runs it, and preparing (parsing and planning) cost more CPU
 * than running most of Mailroom's statements (bench/README.md). Safe to share because all() and
 * run() finish before they return (better-sqlite3 is synchronous); iterate() (Kysely's stream())
 * keeps its statement busy until the iteration ends, so it gets a statement of its own. SQLite
 * re-prepares a kept statement by itself after a schema change (migrations).
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, maxStatements = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        // Statements with `in (?, ?, …)` lists vary in shape: bound the cache, oldest out first.
        if (cache.size >= maxStatements) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      const kept = stmt;
      return {
        reader: kept.reader,
        all: (parameters) => kept.all(parameters),
        run: (parameters) => kept.run(parameters),
        iterate: (parameters) => sqlite.prepare(sql).iterate(parameters),
      };
    },
  };
}

export function openDatabase(options: OpenDatabaseOptions): OpenDatabase {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 });
    // An idle client whose connection the server ends emits 'error' on the pool; unheard, that
    // is an uncaught exception — a PostgreSQL restart would take Mailroom down. The pool drops the
    // dead client and opens a new one on the next query.
    pool.on('error', (err) => options.onConnectionError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const safeUrl = options.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    return { db, capabilities: CAPABILITIES.postgres, description: safeUrl, close: () => db.destroy() };
  }
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dataDir, 'mailroom.db');
  const sqlite = new BetterSqlite3(file);
  for (const pragma of SQLITE_PRAGMAS) sqlite.pragma(pragma);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, capabilities: CAPABILITIES.sqlite, description: `sqlite:${file}`, close: () => db.destroy() };
}
