import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SECRET_SETTING } from '../storage/index.js';
import { heartbeats, openStore, type HeartbeatTable } from '../store/index.js';
import { MigrationRefused } from './refusal.js';
import type { Row } from './rows.js';

export const SQLITE_FILE = 'atelier.db';

/** A process of the source deployment that did not drain: a running server, or one that crashed. */
export type SourceProcess = Pick<HeartbeatTable, 'role' | 'host' | 'pid' | 'last_seen_at'>;

/**
 * An embedded install's store, read from one snapshot: every table as of the same instant, however
 * long the copy takes. Rows come in batches by rowid, never a whole table at once.
 */
export class SourceSnapshot {
  private constructor(private readonly sqlite: SqliteDatabase.Database) {}

  /**
   * Refuses while a server runs on the data dir; otherwise brings its store to the current schema,
   * records the data dir's URL-signing secret in its settings (where a Postgres deployment reads it),
   * and opens the snapshot. Returns the processes that ended without draining (crashed).
   */
  static async open(dataDir: string, now: number): Promise<{ source: SourceSnapshot; crashed: SourceProcess[]; secretCarried: boolean }> {
    const file = path.join(dataDir, SQLITE_FILE);
    if (!fs.existsSync(file)) throw new MigrationRefused(`${dataDir} holds no ${SQLITE_FILE}: --from must be the data dir of an embedded install (atelier serve --data-dir)`);
    const processes = unstoppedProcesses(file);
    const alive = processes.filter((p) => heartbeats.isAlive(p, now));
    if (alive.length > 0) {
      const list = alive.map((p) => `${p.role} pid ${p.pid} on ${p.host}, seen ${Math.round((now - p.last_seen_at) / 1000)} s ago`).join('; ');
      throw new MigrationRefused(
        `a server is running on ${dataDir} (${list}): stop it first (SIGTERM drains it), so no job or payment changes during the copy; a crashed one counts as stopped three heartbeats after it was last seen`,
      );
    }
    const secretCarried = await prepare(dataDir);
    const sqlite = new SqliteDatabase(file, { readonly: true });
    const source = new SourceSnapshot(sqlite);
    source.refresh();
    return { source, crashed: processes.filter((p) => !heartbeats.isAlive(p, now)), secretCarried };
  }

  /** Starts a new snapshot: what was committed since becomes visible. */
  refresh(): void {
    if (this.sqlite.inTransaction) this.sqlite.exec('COMMIT');
    this.sqlite.exec('BEGIN');
    // A read makes the snapshot: writes committed after it stay invisible to this connection.
    this.sqlite.prepare('select count(*) from sqlite_master').get();
  }

  tables(): string[] {
    return (this.sqlite.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[]).map((r) => r.name);
  }

  columns(table: string): { columns: string[]; key: string[] } {
    const info = this.sqlite.prepare(`select name, pk from pragma_table_info(?)`).all(table) as { name: string; pk: number }[];
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    return { columns: info.map((c) => c.name), key };
  }

  /** The table's rows, `size` at a time, in rowid order. */
  *batches(table: string, size: number): Generator<Row[]> {
    const page = this.sqlite.prepare(`select rowid as "__rowid", * from ${quote(table)} where rowid > ? order by rowid limit ?`);
    for (let after = Number.MIN_SAFE_INTEGER; ; ) {
      const rows = page.all(after, size) as Array<Row & { __rowid: number }>;
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.__rowid;
      yield rows.map(({ __rowid: _, ...row }) => row);
    }
  }

  count(table: string): number {
    return (this.sqlite.prepare(`select count(*) as n from ${quote(table)}`).get() as { n: number }).n;
  }

  /** Sum of the ledger's amounts per client. */
  ledgerSums(): Map<string, number> {
    const rows = this.sqlite.prepare('select client_id, sum(amount_micros) as total from ledger group by client_id').all() as { client_id: string; total: number }[];
    return new Map(rows.map((r) => [r.client_id, r.total]));
  }

  /** Generations not yet ended, by state: their jobs travel with them. */
  inFlight(): { queued: number; processing: number } {
    const rows = this.sqlite.prepare(`select state, count(*) as n from generations where state in ('queued', 'processing') group by state`).all() as { state: string; n: number }[];
    const n = (state: string) => rows.find((r) => r.state === state)?.n ?? 0;
    return { queued: n('queued'), processing: n('processing') };
  }

  close(): void {
    this.sqlite.close();
  }
}

/** Processes recorded in the source's heartbeats that never marked themselves stopped. */
function unstoppedProcesses(file: string): Array<SourceProcess & Pick<HeartbeatTable, 'stopped_at' | 'interval_ms'>> {
  const sqlite = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const hasTable = sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = 'heartbeats'`).get();
    if (!hasTable) return [];
    return sqlite.prepare('select role, host, pid, last_seen_at, stopped_at, interval_ms from heartbeats where stopped_at is null').all() as never;
  } finally {
    sqlite.close();
  }
}

/**
 * The migrations the next `atelier serve` would run anyway, then the secret file into `settings`.
 * A SQLite server reads only the file, so the row changes nothing for it.
 */
async function prepare(dataDir: string): Promise<boolean> {
  const store = await openStore({ dataDir });
  try {
    const secretFile = path.join(dataDir, 'secret');
    if (!fs.existsSync(secretFile)) return false;
    const value = fs.readFileSync(secretFile, 'utf8').trim();
    const createdAt = Math.floor(fs.statSync(secretFile).mtimeMs);
    await store.db
      .insertInto('settings')
      .values({ name: SECRET_SETTING, value, created_at: createdAt })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
      .execute();
    return true;
  } finally {
    await store.close();
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Where a crashed process ran, for the report. */
export const describeProcess = (p: SourceProcess) => `${p.role} pid ${p.pid} on ${p.host}`;
