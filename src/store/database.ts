import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type CompiledQuery, type Migration } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/001-initial.js';
import * as accounts from './migrations/002-accounts.js';
import * as usageRollup from './migrations/003-usage-rollup.js';
import * as files from './migrations/004-files.js';
import * as keyFaults from './migrations/005-key-faults.js';
import * as userIndexPartial from './migrations/006-user-index-partial.js';
import * as dropClientCreated from './migrations/007-drop-client-created.js';
import * as engineRuns from './migrations/011-engine-runs.js';
import * as extensions from './migrations/013-extensions.js';
import * as webhooks from './migrations/014-webhooks.js';
import * as heartbeats from './migrations/008-heartbeats.js';
import * as sharedState from './migrations/009-shared-state.js';
import * as engineCallbacks from './migrations/016-engine-callbacks.js';
import * as emulatorState from './migrations/018-emulator-state.js';
import * as webhookKeysRotation from './migrations/019-webhook-keys-rotation.js';
import * as heartbeatEngines from './migrations/021-heartbeat-engines.js';
import type { Database } from './schema.js';
import { batchedTransactions, type Work } from './write-batch.js';
import { registerSqliteConnection } from './prepared.js';
import { checkpointInBackground } from './checkpointer.js';
import { usageFolding } from './usage.js';
import { localNotifications, postgresNotifications, type CommitHooks, type Notifications } from './notifications.js';

/** What differs between the dialects, as capabilities rather than names. */
export interface DialectCapabilities {
  name: 'sqlite' | 'postgres';
  /** `FOR UPDATE SKIP LOCKED` for claims and row locks for per-client checks. */
  rowLocks: boolean;
  /** Other processes may write to this store too (Postgres; SQLite opened `shared`). */
  shared: boolean;
  /** The store lives in the data dir, so whoever shares it shares that dir (SQLite). */
  inDataDir: boolean;
}

export interface Store {
  db: Kysely<Database>;
  dialect: DialectCapabilities;
  /** A write transaction; on SQLite, concurrent ones share a commit (see write-batch.ts). */
  transact<T>(work: Work<T>): Promise<T>;
  /** Runs a precompiled read of the hot path with these parameters, seeing only committed data. */
  read<R>(query: CompiledQuery<R>, parameters: readonly string[]): Promise<R[]>;
  /** Wake-ups across processes: publish inside a transaction, subscribe by channel (see notifications.ts). */
  notifications: Notifications;
  /** Postgres: the schema this store's tables live in. */
  schemaName?(): Promise<string>;
  close(): Promise<void>;
}

/** Numbered migrations; never edit one that has landed. */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
  '002-accounts': accounts,
  '003-usage-rollup': usageRollup,
  '004-files': files,
  '005-key-faults': keyFaults,
  '006-user-index-partial': userIndexPartial,
  '007-drop-client-created': dropClientCreated,
  '011-engine-runs': engineRuns,
  '008-heartbeats': heartbeats,
  '009-shared-state': sharedState,
  '013-extensions': extensions,
  '014-webhooks': webhooks,
  '016-engine-callbacks': engineCallbacks,
  '018-emulator-state': emulatorState,
  '019-webhook-keys-rotation': webhookKeysRotation,
  '021-heartbeat-engines': heartbeatEngines,
};

export interface StoreOptions {
  /** Postgres connection string; empty = SQLite in dataDir. */
  databaseUrl?: string;
  dataDir?: string;
  /** Postgres schema to use (tests use one each). */
  schema?: string;
  /**
   * SQLite only: other processes write to this data dir too (`atelier api` and `atelier worker`
   * sharing it), so reads are never answered from this process's cache.
   */
  shared?: boolean;
}

const parseInt8 = (value: string) => Number(value);

export async function openStore(options: StoreOptions): Promise<Store> {
  const store = options.databaseUrl ? openPostgres(options.databaseUrl, options.schema) : openSqlite(options.dataDir!, options.shared ?? false);
  let migrationTableSchema: string | undefined;
  try {
    migrationTableSchema = await store.schemaName?.();
  } catch (err) {
    await store.close();
    throw err;
  }
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => MIGRATIONS },
    // Numbers are handed out per engineer (DESIGN.md), so a lower number can land after a higher one ran.
    allowUnorderedMigrations: true,
    // Kysely looks for its migration tables in every schema unless told which: a schema of its own
    // (each test's, or one named by the URL's search_path) would find another's and skip creating its own.
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  let { error } = await migrator.migrateToLatest();
  // Kysely's check for its own tables reads every table of the database; a table or schema another
  // process drops meanwhile fails it (42P01, 3F000). Nothing was migrated then, so it is tried again.
  const droppedMeanwhile = (err: unknown) => ['42P01', '3F000'].includes((err as { code?: string } | undefined)?.code ?? '');
  for (let retry = 0; retry < 3 && droppedMeanwhile(error); retry++) ({ error } = await migrator.migrateToLatest());
  if (error) {
    await store.close();
    throw error;
  }
  return store;
}

function openSqlite(dataDir: string, shared: boolean): Store {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'atelier.db');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const checkpoints = checkpointInBackground(sqlite, file);
  const notifications = localNotifications();
  const writes = cachePreparedStatements(sqlite, notifications);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  registerSqliteConnection(db, sqlite);

  // Hot reads skip Kysely's connection queue on a connection of their own, and are answered from
  // memory until this process writes again: an embedded store has no other writer (unless shared).
  let reader: SqliteDatabase.Database | undefined;
  const queries = new Map<CompiledQuery, { statement: SqliteDatabase.Statement; results: Map<string, { version: number; rows: unknown[] }> }>();
  const read = async <R>(query: CompiledQuery<R>, parameters: readonly string[]): Promise<R[]> => {
    let cached = queries.get(query);
    if (!cached) queries.set(query, (cached = { statement: (reader ??= openReader(file, shared)).prepare(query.sql), results: new Map() }));
    if (shared) return cached.statement.all(parameters as string[]) as R[];
    const key = parameters.join('\u0000');
    const hit = cached.results.get(key);
    if (hit && hit.version === writes.version) return hit.rows as R[];
    const rows = cached.statement.all(parameters as string[]) as R[];
    if (cached.results.size >= READ_CACHE_SIZE) cached.results.clear();
    cached.results.set(key, { version: writes.version, rows });
    return rows;
  };
  return {
    db,
    dialect: { name: 'sqlite', rowLocks: false, shared, inDataDir: true },
    transact: batchedTransactions(db, usageFolding),
    read,
    notifications,
    close: async () => {
      await checkpoints.stop();
      reader?.close();
      await db.destroy();
    },
  };
}

/**
 * A read-only connection that keeps its shared lock on the database file between reads: after a
 * first read has set up the WAL index, EXCLUSIVE locking mode saves a lock, an unlock and an fstat
 * per read, while writers and checkpoints on the other connection go on as before.
 */
function openReader(file: string, shared: boolean): SqliteDatabase.Database {
  const reader = new SqliteDatabase(file, { readonly: true });
  reader.pragma('user_version');
  if (!shared) reader.pragma('locking_mode = EXCLUSIVE');
  return reader;
}

const READ_CACHE_SIZE = 10_000;

/**
 * Kysely prepares every query anew; reusing statements by SQL text saves most of a read's cost.
 * `version` moves whenever committed data may have changed: after a statement outside a transaction
 * changes rows, and after a commit or rollback of a transaction that changed rows (statements inside
 * one move it too, so a read cached while it was open is dropped). Statements that change nothing,
 * such as an idle worker's empty claim, leave cached reads alone.
 */
function cachePreparedStatements(sqlite: SqliteDatabase.Database, hooks: CommitHooks): { version: number } {
  const writes = { version: 0, dirty: false };
  const changed = () => {
    writes.version++;
    writes.dirty = true;
  };
  const prepare = sqlite.prepare.bind(sqlite);
  const exec = sqlite.exec.bind(sqlite);
  sqlite.exec = ((source: string) => {
    try {
      return exec(source);
    } finally {
      changed();
    }
  }) as typeof sqlite.exec;
  const cache = new Map<string, SqliteDatabase.Statement>();
  sqlite.prepare = ((source: string) => {
    const cached = cache.get(source);
    if (cached) return cached;
    if (!/^\s*(select|insert|update|delete|with|begin|commit|rollback)\b/i.test(source)) {
      changed();
      return prepare(source);
    }
    const statement = prepare(source);
    if (/^\s*(commit|rollback)\b/i.test(source)) endOfTransaction(statement, writes, /^\s*commit\b/i.test(source) ? hooks.committed : hooks.rolledBack);
    else if (!/^\s*(select|begin)\b/i.test(source)) countChanges(statement, changed);
    if (cache.size < 1000) cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
  return writes;
}

type Method = (...args: unknown[]) => unknown;
const wrap = (statement: SqliteDatabase.Statement, method: 'run' | 'all' | 'get' | 'iterate', after: (result: unknown) => void) => {
  const original = (statement[method] as Method).bind(statement);
  (statement as unknown as Record<string, Method>)[method] = (...args) => {
    const result = original(...args);
    after(result);
    return result;
  };
};

function countChanges(statement: SqliteDatabase.Statement, changed: () => void): void {
  wrap(statement, 'run', (r) => (r as SqliteDatabase.RunResult).changes > 0 && changed());
  wrap(statement, 'all', (rows) => (rows as unknown[]).length > 0 && changed());
  wrap(statement, 'get', (row) => row !== undefined && changed());
  wrap(statement, 'iterate', changed);
}

function endOfTransaction(statement: SqliteDatabase.Statement, writes: { version: number; dirty: boolean }, ended: () => void): void {
  wrap(statement, 'run', () => {
    if (writes.dirty) writes.version++;
    writes.dirty = false;
    ended();
  });
}

function openPostgres(connectionString: string, schema?: string): Store {
  const connection = { connectionString, options: schema ? `-c search_path=${schema}` : undefined };
  const pool = new pg.Pool({
    ...connection,
    max: 10,
    types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format)) } as pg.CustomTypesConfig,
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let currentSchema: Promise<string> | undefined;
  const schemaName = () =>
    (currentSchema ??= schema
      ? Promise.resolve(schema)
      : sql<{ name: string | null }>`select current_schema() as name`.execute(db).then((r) => {
          if (!r.rows[0].name) throw new Error('no schema of the search_path exists (create it first)');
          return r.rows[0].name;
        }));
  const notifications = postgresNotifications(connection, schemaName);
  return {
    db,
    dialect: { name: 'postgres', rowLocks: true, shared: true, inDataDir: false },
    notifications,
    schemaName,
    transact: (work) => db.transaction().execute(work),
    read: async <R>(query: CompiledQuery<R>, parameters: readonly string[]) => (await db.executeQuery<R>({ ...query, parameters })).rows,
    close: async () => {
      await notifications.close();
      await db.destroy();
    },
  };
}
