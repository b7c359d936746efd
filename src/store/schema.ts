import type { Generated } from 'kysely';

export interface ClientTable {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'deactivated';
  /** null = the server default. */
  rpm_limit: number | null;
  max_concurrent: number | null;
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
  created_at: number;
  updated_at: number;
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
}

export interface MigrationRow {
  seq: Generated<number>;
}

export interface Database {
  clients: ClientTable;
  api_keys: ApiKeyTable;
  generations: GenerationTable;
  jobs: JobTable;
}
