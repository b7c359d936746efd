import path from 'node:path';
import { systemClock } from '../clock.js';
import { redactUrl } from '../roles/role.js';
import type { BlobStore } from '../storage/index.js';
import { copyBlobs, countBlobs, missingBlobs } from './copy-blobs.js';
import { copyTable, type Conflict, type TableCopy } from './copy-rows.js';
import { MigrationRefused } from './refusal.js';
import { SourceSnapshot, type SourceProcess } from './source.js';
import { COPIED, isBookkeeping, TABLES } from './tables.js';
import { PostgresTarget } from './target.js';
import { countBoth, countsEqual, type Counts } from './verify.js';

export interface MigrateOptions {
  /** The embedded install's data dir. */
  from: string;
  /** The Postgres URL; its search_path selects the schema. */
  to: string;
  /** Where the blobs go (the bucket), or null: they stay in the data dir, which the target then uses. */
  blobs: { store: BlobStore; name: string } | null;
}

export interface TableLine {
  table: string;
  copy: boolean;
  why: string;
  source: number;
  target: number;
  copied: number;
  present: number;
}

export interface MigrationReport {
  from: string;
  to: string;
  schema: string;
  tables: TableLine[];
  ledger: { clients: number; mismatches: string[] };
  blobs: { into: string | null; dir: string; total: number; bytes: number; copied: number; present: number; missing: string[] };
  secretCarried: boolean;
  inFlight: { queued: number; processing: number };
  crashed: SourceProcess[];
  /** Counts, ledger sums and blobs equal on both sides after the copy. */
  verified: boolean;
}

/** The target held rows the source doesn't: rolled back; the report says where. */
export class MigrationMismatch extends MigrationRefused {
  constructor(
    message: string,
    readonly report: MigrationReport,
  ) {
    super(message);
  }
}

const BATCH = 500;
const SHOWN_CONFLICTS = 5;

/**
 * Copies an embedded install (SQLite and the data dir's blobs) into Postgres and, optionally, a
 * bucket. Rows go in one transaction, so a refusal writes nothing; a second run finds every row and
 * blob present and changes nothing. Verified at the end against a fresh read of both sides.
 */
export async function migrate(options: MigrateOptions): Promise<MigrationReport> {
  const blobDir = path.join(options.from, 'blobs');
  const { source, crashed, secretCarried } = await SourceSnapshot.open(options.from, systemClock.now());
  try {
    const unknown = source.tables().filter((t) => !isBookkeeping(t) && !TABLES.some((d) => d.table === t));
    if (unknown.length > 0) {
      throw new MigrationRefused(`the source has tables this atelier migrate has no rule for (${unknown.join(', ')}): use the atelier version that created them`);
    }
    const target = await PostgresTarget.open(options.to);
    try {
      // Blobs before rows: once the target has rows, it has every blob they name.
      const blobs = options.blobs ? await copyBlobs(blobDir, options.blobs.store) : { ...(await countBlobs(blobDir)), copied: 0, present: 0, conflicts: [] };
      if (blobs.conflicts.length > 0) {
        throw new MigrationRefused(
          `the bucket holds ${blobs.conflicts.length} blobs under the same keys with other sizes (${blobs.conflicts.slice(0, SHOWN_CONFLICTS).join(', ')}): it isn't an earlier copy of this install; no rows were written`,
        );
      }
      const about: About = {
        from: options.from,
        to: redactUrl(options.to),
        schema: target.schema,
        blobsInto: options.blobs?.name ?? null,
        blobDir,
        secretCarried,
        inFlight: source.inFlight(),
        crashed,
      };
      const copies = new Map<string, TableCopy>();
      await target.db.transaction().execute(async (trx) => {
        for (const table of COPIED) copies.set(table, await copyTable(source, target, trx, table, BATCH));
        const conflicts = [...copies.values()].flatMap((c) => c.conflicts);
        if (conflicts.length > 0) throw new MigrationRefused(conflictMessage(conflicts));
        const counts = await countBoth(source, target, trx);
        if (!countsEqual(counts)) {
          throw new MigrationMismatch(
            'the target holds rows the source doesn\'t (see the table): it isn\'t empty nor an earlier copy of this install; nothing was written. Migrate into an empty database or schema',
            report(about, counts, copies, { ...blobs, missing: [] }),
          );
        }
      });

      // Verified on fresh reads of both sides: a write to the source meanwhile shows up here.
      source.refresh();
      const counts = await countBoth(source, target, target.db);
      const missing = options.blobs ? (await missingBlobs(blobDir, options.blobs.store)).missing : [];
      return report(about, counts, copies, { ...blobs, missing });
    } finally {
      await target.close();
    }
  } finally {
    source.close();
  }
}

/** What the report says besides the counts. */
type About = Pick<MigrationReport, 'from' | 'to' | 'schema' | 'secretCarried' | 'inFlight' | 'crashed'> & { blobsInto: string | null; blobDir: string };

function report(about: About, counts: Counts, copies: Map<string, TableCopy>, blobs: Omit<MigrationReport['blobs'], 'into' | 'dir'>): MigrationReport {
  const { blobsInto, blobDir, ...rest } = about;
  return {
    ...rest,
    tables: TABLES.map(({ table, copy, why }) => {
      const [source, target] = counts.tables.get(table) ?? [0, 0];
      return { table, copy, why, source, target, copied: copies.get(table)?.copied ?? 0, present: copies.get(table)?.present ?? 0 };
    }),
    ledger: { clients: counts.ledgerClients, mismatches: counts.ledgerMismatches },
    blobs: { into: blobsInto, dir: blobDir, ...blobs },
    verified: countsEqual(counts) && blobs.missing.length === 0,
  };
}

function conflictMessage(conflicts: Conflict[]): string {
  const shown = conflicts
    .slice(0, SHOWN_CONFLICTS)
    .map((c) => `${c.table} ${c.key} (${c.columns.join(', ')})`)
    .join('; ');
  const more = conflicts.length > SHOWN_CONFLICTS ? ` and ${conflicts.length - SHOWN_CONFLICTS} more` : '';
  return (
    `the target holds other values under the same keys: ${shown}${more}. Nothing was written. ` +
    'The target has changed since an earlier migration (or holds another install); migrate into an empty database or schema'
  );
}
