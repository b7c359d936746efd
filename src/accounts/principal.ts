import { apiError } from '../contract/index.js';
import type { Clock } from '../clock.js';
import { clients, type Store } from '../store/index.js';
import { hashKey, hashesEqual, KEY_PREFIX } from './keys.js';

/** The authenticated caller: a client, through one of its keys. */
export interface Principal {
  clientId: string;
  keyId: string;
  /** null = the server default. */
  rpmLimit: number | null;
  maxConcurrent: number | null;
  /** Whether submits hold money on a balance (false = unlimited). */
  metered: boolean;
  /** The key's stored emulator fault, unparsed; null = none. */
  fault: string | null;
}

type KeyRow = NonNullable<Awaited<ReturnType<typeof clients.findApiKeyByHash>>>;

/** Authenticates `Authorization: Bearer luma-api-…` (spec §1, §8.3). */
export class Authenticator {
  private readonly cache = new Map<string, { row: KeyRow; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** How long a key lookup is reused; revocation takes at most this long to apply. */
    private readonly cacheMs = 2000,
  ) {}

  async authenticate(header: string | undefined): Promise<Principal> {
    const key = keyOf(header);
    const now = this.clock.now();
    return principalOf(await this.lookup(key, now), now);
  }

  /** The principal of a key looked up in the last `cacheMs`, without a promise; undefined on a miss. */
  authenticateCached(header: string | undefined): Principal | undefined {
    const hit = this.cache.get(keyOf(header));
    const now = this.clock.now();
    return hit && hit.until > now ? principalOf(hit.row, now) : undefined;
  }

  /** Drops cached lookups, e.g. after a key or client changed. */
  forget(): void {
    this.cache.clear();
  }

  /** Cached by the key itself, so a hit costs neither a hash nor a query. */
  private async lookup(key: string, now: number): Promise<KeyRow | undefined> {
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.row;
    const hash = hashKey(key);
    const row = await clients.findApiKeyByHash(this.store.db, hash);
    if (!row || !hashesEqual(row.key_hash, hash)) return undefined;
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(key, { row, until: now + this.cacheMs });
    return row;
  }
}

function keyOf(header: string | undefined): string {
  if (!header || !header.startsWith('Bearer ')) throw apiError('AUTH_MISSING');
  const key = header.slice('Bearer '.length).trim();
  if (!key.startsWith(KEY_PREFIX) || key.length === KEY_PREFIX.length) throw apiError('AUTH_MISSING');
  return key;
}

function principalOf(row: KeyRow | undefined, now: number): Principal {
  if (!row) throw apiError('AUTH_INVALID');
  if (row.revoked_at !== null && row.revoked_at <= now) throw apiError('AUTH_REVOKED');
  if (row.expires_at !== null && row.expires_at <= now) throw apiError('AUTH_EXPIRED');
  if (row.status === 'suspended') throw apiError('CLIENT_SUSPENDED');
  if (row.status === 'deactivated') throw apiError('CLIENT_DEACTIVATED');
  return {
    clientId: row.client_id,
    keyId: row.key_id,
    rpmLimit: row.rpm_limit,
    maxConcurrent: row.max_concurrent,
    metered: row.balance_micros !== null,
    fault: row.fault ?? null,
  };
}
