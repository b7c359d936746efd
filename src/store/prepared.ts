import type { Compilable, CompiledQuery, Kysely, Transaction } from 'kysely';
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

/** An INSERT of whole rows; the columns are those of the first row inserted. */
export function preparedInsert<T extends keyof Database>(table: T) {
  let columns: string[] = [];
  const query = compiledOnce((db) => db.insertInto(table).values(Object.fromEntries(columns.map((column) => [column, null])) as never));
  return async (db: Db, row: Database[T]): Promise<void> => {
    if (columns.length === 0) columns = Object.keys(row).sort();
    const values = row as unknown as Record<string, unknown>;
    await db.executeQuery({ ...query(db), parameters: columns.map((column) => values[column] ?? null) });
  };
}
