import type { Kysely, Transaction } from 'kysely';
import { COPIED } from './tables.js';
import type { SourceSnapshot } from './source.js';
import type { PostgresTarget } from './target.js';

export interface Counts {
  /** Rows per copied table: [source, target]. */
  tables: Map<string, [number, number]>;
  /** Clients whose ledger sums differ between the two (or that one side lacks). */
  ledgerMismatches: string[];
  ledgerClients: number;
}

/** Row counts per copied table and ledger sums per client, on both sides. */
export async function countBoth(source: SourceSnapshot, target: PostgresTarget, db: Kysely<any> | Transaction<any>): Promise<Counts> {
  const tables = new Map<string, [number, number]>();
  for (const table of COPIED) tables.set(table, [source.count(table), await target.count(db, table)]);
  const fromSource = source.ledgerSums();
  const fromTarget = await target.ledgerSums(db);
  const clients = new Set([...fromSource.keys(), ...fromTarget.keys()]);
  const ledgerMismatches = [...clients].filter((c) => fromSource.get(c) !== fromTarget.get(c));
  return { tables, ledgerMismatches, ledgerClients: clients.size };
}

export const countsEqual = (counts: Counts) => counts.ledgerMismatches.length === 0 && [...counts.tables.values()].every(([s, t]) => s === t);
