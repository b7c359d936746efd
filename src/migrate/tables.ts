/**
 * What `atelier migrate` does with each table of the store, and why: the one place that decides.
 * Copied tables go in this order (foreign keys point at tables earlier in the list). A table the
 * store has and this list doesn't name makes the migration refuse, so a new migration's table is
 * carried only once someone has decided how (test/migrate/tables.test.ts keeps the two in step).
 */
export interface TableDecision {
  table: string;
  copy: boolean;
  why: string;
}

export const TABLES: readonly TableDecision[] = [
  { table: 'clients', copy: true, why: 'clients, their limits and balances' },
  { table: 'api_keys', copy: true, why: 'key hashes: the same keys keep working' },
  { table: 'generations', copy: true, why: 'every generation, its request, outputs, failure and price' },
  { table: 'jobs', copy: true, why: 'queued and interrupted work: the target workers run it (a lapsed lease is claimed again)' },
  { table: 'ledger', copy: true, why: 'append-only money record: balances and ledger sums stay equal' },
  { table: 'user_budgets', copy: true, why: 'per-user budgets' },
  { table: 'usage_daily', copy: true, why: 'usage rollups that GET /v1/usage reads' },
  { table: 'usage_daily_user', copy: true, why: 'the same per user' },
  { table: 'files', copy: true, why: 'Files API records; their bytes are blobs' },
  { table: 'settings', copy: true, why: 'stored settings, with the URL-signing secret of the data dir (old URLs keep verifying)' },
  { table: 'idempotency_keys', copy: true, why: 'a retried submit still replays its first answer' },
  { table: 'events', copy: true, why: 'event log (ids kept, so Last-Event-ID replay and deliveries still point right)' },
  { table: 'webhook_endpoints', copy: true, why: 'webhook endpoints and their signing secrets' },
  { table: 'webhook_subscriptions', copy: true, why: 'per-request webhook_url subscriptions' },
  { table: 'webhook_secrets', copy: true, why: 'per-client default webhook secrets' },
  { table: 'webhook_deliveries', copy: true, why: 'the outbox: pending deliveries go on from the target' },
  { table: 'webhook_attempts', copy: true, why: 'delivery log' },
  { table: 'engine_callbacks', copy: true, why: 'backend callbacks a waiting remote job reads' },
  { table: 'heartbeats', copy: false, why: 'processes of the old deployment; read only to refuse while it runs' },
  { table: 'rate_hits', copy: false, why: 'a 60 s RPM window: stale by the time the target starts' },
  { table: 'emulator_clock', copy: false, why: "the emulator's virtual clock (--clock virtual): the target's processes keep their own" },
  { table: 'flaky_tries', copy: false, why: 'tries of flaky:<n> test requests: a retry after the move starts a new count' },
];

/** Tables that belong to the database engine or the migrator, never to Atelier's data. */
export const isBookkeeping = (table: string) => table.startsWith('sqlite_') || table.startsWith('kysely_');

export const COPIED = TABLES.filter((t) => t.copy).map((t) => t.table);
