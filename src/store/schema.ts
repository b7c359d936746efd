import type { Generated } from 'kysely';

export interface ClientTable {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'deactivated';
  /** null = the server default. */
  rpm_limit: number | null;
  max_concurrent: number | null;
  /** Available funds in micro-dollars; null = unlimited. */
  balance_micros: number | null;
  created_at: number;
}

export interface ApiKeyTable {
  id: string;
  client_id: string;
  key_hash: string;
  /** First characters of the key, for people to recognise it. */
  prefix: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  /** The emulator fault this key always gets (migration 005); null or absent = none. */
  fault?: string | null;
}

export interface GenerationTable {
  id: string;
  client_id: string;
  api_key_id: string;
  type: string;
  model: string;
  state: 'queued' | 'processing' | 'completed' | 'failed';
  /** The normalized request as JSON, with inputs replaced by blob references. */
  request: string;
  user_id: string | null;
  /** JSON array of stored outputs: [{type, key, media_type}]. */
  output: string | null;
  failure_code: string | null;
  failure_reason: string | null;
  /** Fixed at submit; completion charges exactly this. */
  price_micros: number;
  created_at: number;
  updated_at: number;
  /** The engine serving it, once a remote engine took it (admins only; never in the wire format). */
  engine?: string | null;
  /** JSON of the current remote try (`UpstreamTry`), written before waiting on it. */
  upstream?: string | null;
  /** Extension (migration 013): JSON {fraction, stage} while processing; never written at insert. */
  progress?: string | null;
  /** Extension: when the client cancelled it (it is then `failed`). */
  cancelled_at?: number | null;
}

export interface JobTable {
  generation_id: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  /** The remote engine heading the chain at submit; null = local CPU work. */
  lane: string | null;
}

/** Append-only: for a client with a balance, the balance always equals the sum of amounts. */
export interface LedgerTable {
  id: string;
  client_id: string;
  kind: 'hold' | 'capture' | 'refund' | 'credit' | 'debit';
  /** The effect on the balance: negative for holds and debits. */
  amount_micros: number;
  generation_id: string | null;
  user_id: string | null;
  reason: string | null;
  created_at: number;
}

export interface UserBudgetTable {
  client_id: string;
  user_id: string;
  period: 'day' | 'month';
  limit_micros: number;
}

/** Per client, UTC day number, model and type; see usage.ts. */
export interface UsageDailyTable {
  client_id: string;
  day: number;
  model: string;
  type: string;
  generations: number;
  completed: number;
  failed: number;
  /** What was not refunded: failed generations cost nothing. */
  cost_micros: number;
}

/** The same, per user ('' for none). */
export interface UsageDailyUserTable extends UsageDailyTable {
  user_id: string;
}

export type FileState = 'pending' | 'ready' | 'failed' | 'deleted';

/** A Files API file; its bytes are the blob `blob_key` (null before upload and once purged). */
export interface FileTable {
  id: string;
  client_id: string;
  user_id: string | null;
  purpose: 'input' | 'reference';
  state: FileState;
  mime_type: string;
  size_bytes: number;
  filename: string | null;
  blob_key: string | null;
  failure_reason: string | null;
  /** When the bytes arrived; null while a presigned upload is outstanding. */
  uploaded_at: number | null;
  expires_at: number | null;
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
  /** The key that created it (migration 019; null before), for webhook endpoints of one key. */
  api_key_id?: string | null;
}

export interface IdempotencyKeyTable {
  client_id: string;
  /** The route, e.g. `POST /v1/generations`. */
  scope: string;
  key: string;
  /** sha256 of the request body. */
  fingerprint: string;
  /** null while the first request is in flight. */
  status: number | null;
  body: string | null;
  /** While in flight: when a crashed holder's claim lapses. */
  locked_until: number | null;
  created_at: number;
}

/** The event log: each state change of a generation or file, written in its transaction. */
export interface EventTable {
  id: Generated<number>;
  client_id: string;
  subject_id: string;
  /** `generation.processing`, `file.ready` … */
  type: string;
  /** The subject's row as of the event (JSON), rendered into the API object when sent. */
  data: string;
  created_at: number;
}

export interface WebhookEndpointTable {
  id: string;
  client_id: string;
  url: string;
  secret: string;
  events: string;
  description: string | null;
  disabled_at: number | null;
  created_at: number;
  /** Migration 019: only this key's events; null = every key of the client. */
  api_key_id?: string | null;
  /** Migration 019: the secret before the last rotation, which signs too until `previous_secret_until`. */
  previous_secret?: string | null;
  previous_secret_until?: number | null;
}

export interface WebhookSubscriptionTable {
  subject_id: string;
  client_id: string;
  url: string;
  events: string;
  created_at: number;
}

export interface WebhookSecretTable {
  client_id: string;
  secret: string;
  created_at: number;
  previous_secret?: string | null;
  previous_secret_until?: number | null;
}

export interface WebhookDeliveryTable {
  id: string;
  client_id: string;
  endpoint_id: string | null;
  event_id: number;
  url: string;
  type: string;
  subject_id: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number | null;
  locked_until: number | null;
  last_status: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptTable {
  delivery_id: string;
  attempt: number;
  at: number;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface HeartbeatTable {
  id: string;
  role: string;
  host: string;
  pid: number;
  version: string;
  /** Jobs it can run at once (0 for an API process). */
  worker_slots: number;
  jobs_running: number;
  /** JSON array of the generation ids it is running. */
  running: string;
  /** Its heartbeat period: a process silent for three of them is taken for dead. */
  interval_ms: number;
  started_at: number;
  last_seen_at: number;
  /** Set when it drained and exited. */
  stopped_at: number | null;
  /** JSON: its remote engines' breakers and in-flight jobs (EngineReport[]); null for a process that runs no jobs. */
  engines: string | null;
}

export interface SettingTable {
  name: string;
  value: string;
  created_at: number;
}

/** One accepted submission inside a client's RPM window. */
export interface RateHitTable {
  client_id: string;
  at: number;
}

export interface Database {
  clients: ClientTable;
  api_keys: ApiKeyTable;
  generations: GenerationTable;
  jobs: JobTable;
  ledger: LedgerTable;
  user_budgets: UserBudgetTable;
  usage_daily: UsageDailyTable;
  usage_daily_user: UsageDailyUserTable;
  files: FileTable;
  heartbeats: HeartbeatTable;
  settings: SettingTable;
  rate_hits: RateHitTable;
  idempotency_keys: IdempotencyKeyTable;
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_subscriptions: WebhookSubscriptionTable;
  webhook_secrets: WebhookSecretTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  engine_callbacks: EngineCallbackTable;
  emulator_clock: EmulatorClockTable;
  flaky_tries: FlakyTryTable;
}

/** The virtual clock's time, shared by every process (migration 018): one row. */
export interface EmulatorClockTable {
  id: number;
  now_ms: number;
}

/** Tries a `flaky:<n>` request has used in its current round (migration 018). */
export interface FlakyTryTable {
  id: string;
  tries: number;
  /** The last try. */
  at: number;
}

/** A backend's latest word on one of its jobs (migration 016). */
export interface EngineCallbackTable {
  engine: string;
  upstream_id: string;
  /** The body it posted, as JSON. */
  payload: string;
  /** 1 once the job has ended: later posts no longer replace it. */
  terminal: number;
  received_at: number;
}
