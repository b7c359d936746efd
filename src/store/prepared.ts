import type { Compilable, CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type SqliteDatabase from 'better-sqlite3';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A query compiled once per dialect, for callers to re-bind its parameters in order: on the hot
 * paths, building and compiling a query costs more than SQLite takes to run it.
 */
export function compiledOnce<R>(build: (db: Db) => Compilable<R>): (db: Db) => CompiledQuery<R> {
  const compiled = new WeakMap<object, CompiledQuery<R>>();
  return (db) => {
    const adapter = db.getExecutor().adapter;
    let query = compiled.get(adapter);
    if (!query) compiled.set(adapter, (query = build(db).compile()));
    return query;
  };
}

/** The one connection of each SQLite store, by its Kysely adapter (one per Kysely instance). */
const sqliteConnections = new WeakMap<object, SqliteDatabase.Database>();

export function registerSqliteConnection(db: Kysely<Database>, sqlite: SqliteDatabase.Database): void {
  sqliteConnections.set(db.getExecutor().adapter, sqlite);
}

/**
 * Runs a precompiled query with these parameters. A SQLite transaction holds the store's only
 * connection, so inside one the statement runs on it directly: Kysely's promises per query cost
 * more than the statement itself.
 */
export async function execute<R>(db: Db, query: CompiledQuery<R>, parameters: readonly unknown[]): Promise<QueryResult<R>> {
  const sqlite = db.isTransaction ? sqliteConnections.get(db.getExecutor().adapter) : undefined;
  if (!sqlite) return db.executeQuery({ ...query, parameters });
  const statement = sqlite.prepare(query.sql);
  if (statement.reader) return { rows: statement.all(parameters as unknown[]) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters as unknown[]);
  return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
}

/** An INSERT of whole rows; the columns are those of the first row inserted. */
export function preparedInsert<T extends keyof Database>(table: T) {
  let columns: string[] = [];
  const query = compiledOnce((db) => db.insertInto(table).values(Object.fromEntries(columns.map((column) => [column, null])) as never));
  return async (db: Db, row: Database[T]): Promise<void> => {
    if (columns.length === 0) columns = Object.keys(row).sort();
    const values = row as unknown as Record<string, unknown>;
    await execute(db, query(db), columns.map((column) => values[column] ?? null));
  };
}
