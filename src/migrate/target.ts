import { sql, type Kysely, type Transaction } from 'kysely';
import pg from 'pg';
import { errorMessage } from '../errors.js';
import { redactUrl } from '../roles/role.js';
import { openStore, type Store } from '../store/index.js';
import { MigrationRefused } from './refusal.js';
import { keyOf, type Row } from './rows.js';

// Tables are named at run time, from the catalogue, so queries here are untyped.
type Db = Kysely<any> | Transaction<any>;

/**
 * The Postgres database (and schema, as the URL's search_path selects it) an install moves to,
 * created if missing and migrated to the current schema by the store's own migrator.
 */
export class PostgresTarget {
  private constructor(
    private readonly store: Store,
    readonly schema: string,
  ) {}

  get db(): Kysely<any> {
    return this.store.db as Kysely<any>;
  }

  static async open(url: string): Promise<PostgresTarget> {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new MigrationRefused(`--to must be a postgres:// URL (got ${redactUrl(url)})`);
    const where = redactUrl(url);
    await ensureSchema(url).catch((err) => {
      throw err instanceof MigrationRefused ? err : new MigrationRefused(`cannot reach the target at ${where}: ${errorMessage(err)}`);
    });
    const store = await openStore({ databaseUrl: url }).catch((err) => {
      throw new MigrationRefused(`cannot prepare the target at ${where}: ${errorMessage(err)}`);
    });
    return new PostgresTarget(store, await store.schemaName!());
  }

  async columns(table: string): Promise<{ columns: string[]; identity: string[] }> {
    const { rows } = await sql<{ name: string; identity: string }>`
      select column_name as name, is_identity as identity from information_schema.columns
      where table_schema = ${this.schema} and table_name = ${table} order by ordinal_position`.execute(this.db);
    return { columns: rows.map((r) => r.name), identity: rows.filter((r) => r.identity === 'YES').map((r) => r.name) };
  }

  /** The target's rows with the keys of `rows`, by `keyOf`. */
  async existing(db: Db, table: string, key: readonly string[], rows: Row[]): Promise<Map<string, Row>> {
    const tuple = (values: unknown[]) => sql`(${sql.join(values.map((v) => sql`${v}`))})`;
    const { rows: found } = await sql<Row>`
      select * from ${sql.table(table)}
      where ${tuple(key.map((k) => sql.ref(k)))} in (${sql.join(rows.map((r) => tuple(key.map((k) => r[k]))))})`.execute(db);
    return new Map(found.map((r) => [keyOf(r, key), r]));
  }

  async insert(db: Db, table: string, rows: Row[]): Promise<void> {
    if (rows.length > 0) await db.insertInto(table).values(rows).execute();
  }

  /** Moves an identity column's sequence past the copied ids, so new rows don't collide with them. */
  async advanceIdentity(db: Db, table: string, column: string): Promise<void> {
    await sql`select setval(pg_get_serial_sequence(${`${quote(this.schema)}.${quote(table)}`}, ${column}), max(${sql.ref(column)}))
      from ${sql.table(table)} having max(${sql.ref(column)}) is not null`.execute(db);
  }

  async count(db: Db, table: string): Promise<number> {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    return Number(rows[0]!.n);
  }

  async ledgerSums(db: Db): Promise<Map<string, number>> {
    const { rows } = await sql<{ client_id: string; total: string }>`select client_id, sum(amount_micros) as total from ledger group by client_id`.execute(db);
    return new Map(rows.map((r) => [r.client_id, Number(r.total)]));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Creates the schema the URL's search_path names when it doesn't exist yet (the store would refuse it). */
async function ensureSchema(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const { rows } = await client.query<{ current: string | null; path: string }>(`select current_schema() as current, current_setting('search_path') as path`);
    if (rows[0]!.current) return;
    const wanted = rows[0]!.path
      .split(',')
      .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
      .find((s) => s && s !== '$user');
    if (!wanted) throw new MigrationRefused(`the target's search_path (${rows[0]!.path}) names no schema to migrate into`);
    await client.query(`create schema if not exists ${quote(wanted)}`);
  } finally {
    await client.end();
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
