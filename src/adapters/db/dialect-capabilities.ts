// Every difference between SQLite and PostgreSQL that the adapters care about is declared here,
// once, so no other file branches on the dialect name.
export type DialectName = 'sqlite' | 'postgres';

export interface DialectCapabilities {
  name: DialectName;
  /** Column type for an auto-incrementing sequence number. */
  serialType: 'integer' | 'bigserial';
  /** `select … for update skip locked` exists (PostgreSQL); SQLite serialises writers instead. */
  skipLocked: boolean;
  /** Several connections may write at once (PostgreSQL), or exactly one writer (SQLite). */
  concurrentWriters: boolean;
  /**
   * `with … as (update …) select …` runs an update inside a query, whose other parts still read the
   * rows as they were (PostgreSQL): two statements' work in one round trip.
   */
  dataModifyingCte: boolean;
  /** The n-th (1-based) parameter in SQL text written without Kysely's compiler: `?` or `$n`. */
  parameter(n: number): string;
}

export const CAPABILITIES: Record<DialectName, DialectCapabilities> = {
  sqlite: { name: 'sqlite', serialType: 'integer', skipLocked: false, concurrentWriters: false, dataModifyingCte: false, parameter: () => '?' },
  postgres: { name: 'postgres', serialType: 'bigserial', skipLocked: true, concurrentWriters: true, dataModifyingCte: true, parameter: (n) => `$${n}` },
};
