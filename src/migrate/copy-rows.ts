import type { Transaction } from 'kysely';
import { MigrationRefused } from './refusal.js';
import { differingColumns, keyOf, type Row } from './rows.js';
import type { SourceSnapshot } from './source.js';
import type { PostgresTarget } from './target.js';

/** A target row whose key the source has too, with other values. */
export interface Conflict {
  table: string;
  key: string;
  columns: string[];
}

export interface TableCopy {
  copied: number;
  /** Rows the target held already, equal to the source's (an earlier run). */
  present: number;
  conflicts: Conflict[];
}

/**
 * Copies one table in batches: rows the target lacks are inserted, rows it holds equal are left,
 * rows it holds different are conflicts (nothing reconciles them: the caller rolls back).
 */
export async function copyTable(source: SourceSnapshot, target: PostgresTarget, trx: Transaction<any>, table: string, batchSize: number): Promise<TableCopy> {
  const { columns, key } = source.columns(table);
  const wanted = await target.columns(table);
  if ([...columns].sort().join() !== [...wanted.columns].sort().join()) {
    throw new MigrationRefused(`table ${table} has other columns in the target (${wanted.columns.join(', ')}) than in the source (${columns.join(', ')}): run the same Atelier version on both`);
  }
  if (key.length === 0) throw new MigrationRefused(`table ${table} has no primary key, so a second run couldn't tell what it copied`);
  const result: TableCopy = { copied: 0, present: 0, conflicts: [] };
  for (const batch of source.batches(table, batchSize)) {
    const existing = await target.existing(trx, table, key, batch);
    const fresh: Row[] = [];
    for (const row of batch) {
      const there = existing.get(keyOf(row, key));
      if (!there) fresh.push(row);
      else {
        const differing = differingColumns(row, there, columns);
        if (differing.length === 0) result.present++;
        else result.conflicts.push({ table, key: keyOf(row, key), columns: differing });
      }
    }
    await target.insert(trx, table, fresh);
    result.copied += fresh.length;
  }
  for (const column of wanted.identity) await target.advanceIdentity(trx, table, column);
  return result;
}
