import type { CompiledQuery, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * An INSERT of whole rows, compiled once per dialect and then only re-bound: building and
 * compiling the query each time costs more than SQLite takes to run it. The columns are those
 * of the first row inserted.
 */
export function preparedInsert<T extends keyof Database>(table: T) {
  const compiled = new WeakMap<object, { query: CompiledQuery; columns: string[] }>();
  return async (db: Db, row: Database[T]): Promise<void> => {
    const adapter = db.getExecutor().adapter;
    let prepared = compiled.get(adapter);
    if (!prepared) {
      const columns = Object.keys(row).sort();
      const placeholder = Object.fromEntries(columns.map((column) => [column, null]));
      prepared = { query: db.insertInto(table).values(placeholder as never).compile(), columns };
      compiled.set(adapter, prepared);
    }
    const values = row as unknown as Record<string, unknown>;
    await db.executeQuery({ ...prepared.query, parameters: prepared.columns.map((column) => values[column] ?? null) });
  };
}
