import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import pg from 'pg';
import type { Database, GenerationTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Cross-process notifications, the store's port for wake-ups (DESIGN.md, wave 2).
 *
 *   store.notifications.publish(trx, 'generation:changed', { clientId, generationId, state });
 *   const off = store.notifications.subscribe('generation:changed', (change) => …);
 *   store.notifications.onGap(() => …re-read what matters…);
 *
 * `publish` given a transaction delivers only once that transaction commits, and never if it rolls
 * back; given the plain `store.db` it delivers at once. Every process subscribed to the channel on
 * the same database (and, on Postgres, the same schema) gets it, this one included, at most once
 * and in commit order per publisher. Delivery is best effort: on Postgres a dropped listening
 * connection reconnects by itself, and `onGap` listeners then run because notifications sent
 * meanwhile are lost, so anything that must not be missed is also found by polling the store.
 * On SQLite delivery stays inside this process (api and worker processes sharing a data dir fall
 * back to polling). Listener errors are logged, never thrown into the publisher.
 */
export interface Channels {
  /** A job can be claimed now: a new submit, or a lease given back. `lane`: its remote engine, null = local work, absent = unknown. */
  'job:new': { generationId: string; lane?: string | null };
  /** A generation's state moved, or (with `progress`, 0..1) it made progress while processing. */
  'generation:changed': { clientId: string; generationId: string; state: GenerationTable['state']; progress?: number };
  /** A file's bytes are complete and wait for ingest. */
  'file:uploaded': { fileId: string };
  /** A client or key changed (limits, status, revocation): API processes drop cached keys. */
  'clients:changed': Record<string, never>;
  /** The virtual clock (`--clock virtual`) was moved to `now`. */
  'clock:advanced': { now: number };
}

export type Channel = keyof Channels;
export type ChannelListener<C extends Channel> = (payload: Channels[C]) => void;

export interface Notifications {
  publish<C extends Channel>(db: Db, channel: C, payload: Channels[C]): Promise<void>;
  subscribe<C extends Channel>(channel: C, listener: ChannelListener<C>): () => void;
  /** Runs after a listening connection came back: notifications may have been lost meanwhile. */
  onGap(listener: () => void): () => void;
  /** Names where log lines go (reconnects, listener errors); stores open with a silent default. */
  useLogger(logger: Logger): void;
  close(): Promise<void>;
}

/** Local subscribers by channel; shared by both dialects. */
class Subscribers {
  private readonly byChannel = new Map<Channel, Set<ChannelListener<never>>>();
  private readonly gaps = new Set<() => void>();
  logger: Logger | undefined;

  add<C extends Channel>(channel: C, listener: ChannelListener<C>): () => void {
    let set = this.byChannel.get(channel);
    if (!set) this.byChannel.set(channel, (set = new Set()));
    set.add(listener as ChannelListener<never>);
    return () => set.delete(listener as ChannelListener<never>);
  }

  channels(): Channel[] {
    return [...this.byChannel.keys()];
  }

  addGap(listener: () => void): () => void {
    this.gaps.add(listener);
    return () => this.gaps.delete(listener);
  }

  deliver(channel: Channel, payload: unknown): void {
    for (const listener of this.byChannel.get(channel) ?? []) this.safely(() => (listener as (p: unknown) => void)(payload), channel);
  }

  gap(): void {
    for (const listener of this.gaps) this.safely(listener, 'gap');
  }

  private safely(run: () => void, channel: string): void {
    try {
      run();
    } catch (err) {
      this.logger?.error({ err, channel }, 'notification listener failed');
    }
  }
}

/** The hooks the SQLite store calls on its one writing connection. */
export interface CommitHooks {
  committed(): void;
  rolledBack(): void;
}

/**
 * SQLite: in-process. The store has one writing connection, so what is published inside a
 * transaction waits for that connection's next COMMIT (and is dropped by a ROLLBACK).
 */
export function localNotifications(): Notifications & CommitHooks {
  const subscribers = new Subscribers();
  let pending: Array<[Channel, unknown]> = [];
  const flush = (items: Array<[Channel, unknown]>) => setImmediate(() => items.forEach(([channel, payload]) => subscribers.deliver(channel, payload)));
  return {
    async publish(db, channel, payload) {
      if (db.isTransaction) pending.push([channel, payload]);
      else flush([[channel, payload]]);
    },
    subscribe: (channel, listener) => subscribers.add(channel, listener),
    onGap: (listener) => subscribers.addGap(listener),
    useLogger: (logger) => void (subscribers.logger = logger),
    committed() {
      if (pending.length === 0) return;
      flush(pending);
      pending = [];
    },
    rolledBack() {
      pending = [];
    },
    async close() {},
  };
}

/** The listening connection's application_name, so operators can tell it apart in pg_stat_activity. */
export const LISTENER_NAME = 'atelier-listen';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5000;

/**
 * Postgres: NOTIFY inside the caller's transaction (Postgres sends it at commit), LISTEN on one
 * dedicated connection per process, opened on the first subscription. Channel names carry the
 * schema, so stores in different schemas of one database never hear each other.
 */
export function postgresNotifications(connection: pg.ClientConfig, schema: () => Promise<string>): Notifications {
  const subscribers = new Subscribers();
  const names = new Map<Channel, Promise<string>>();
  const nameOf = (channel: Channel) => {
    let name = names.get(channel);
    if (!name) names.set(channel, (name = schema().then((s) => channelName(s, channel))));
    return name;
  };
  const byName = new Map<string, Channel>();
  /** The connection and the channels it listens on. */
  let current: { client: pg.Client; listening: Set<Channel> } | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let retryMs = RECONNECT_MIN_MS;
  let retryTimer: NodeJS.Timeout | null = null;
  let gapPending = false;

  const listen = async (channel: Channel) => {
    const target = current;
    if (!target || target.listening.has(channel)) return;
    target.listening.add(channel);
    const name = await nameOf(channel);
    byName.set(name, channel);
    await target.client.query(`LISTEN ${pg.escapeIdentifier(name)}`);
  };

  const retry = (err: unknown, message: string) => {
    if (closed || retryTimer) return;
    subscribers.logger?.warn({ err, retryMs }, message);
    gapPending = true;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(RECONNECT_MAX_MS, retryMs * 2);
  };

  const drop = (client: pg.Client, err?: unknown) => {
    if (current?.client !== client) return;
    current = null;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    retry(err, 'notification connection lost; reconnecting');
  };

  const connect = (): Promise<void> =>
    (connecting ??= (async () => {
      const client = new pg.Client({ ...connection, application_name: LISTENER_NAME });
      client.on('error', (err) => drop(client, err));
      client.on('end', () => drop(client));
      client.on('notification', (message) => {
        const channel = byName.get(message.channel);
        if (!channel || message.payload === undefined) return;
        let payload: unknown;
        try {
          payload = JSON.parse(message.payload);
        } catch {
          return;
        }
        subscribers.deliver(channel, payload);
      });
      try {
        await client.connect();
        if (closed) throw new Error('closed');
        current = { client, listening: new Set() };
        for (const channel of subscribers.channels()) await listen(channel);
        retryMs = RECONNECT_MIN_MS;
        if (gapPending) {
          gapPending = false;
          subscribers.logger?.info('notification connection restored');
          subscribers.gap();
        }
      } catch (err) {
        if (current?.client === client) drop(client, err);
        else {
          client.removeAllListeners('end');
          await client.end().catch(() => undefined);
          retry(err, 'notification connection failed; retrying');
        }
      } finally {
        connecting = null;
      }
    })());

  return {
    async publish(db, channel, payload) {
      await sql`select pg_notify(${await nameOf(channel)}, ${JSON.stringify(payload)})`.execute(db);
    },
    subscribe(channel, listener) {
      const off = subscribers.add(channel, listener);
      if (closed) return off;
      if (current) {
        const client = current.client;
        listen(channel).catch((err) => drop(client, err));
      } else if (!connecting && !retryTimer) void connect();
      // While connecting, connect() listens on every subscribed channel once it is up.
      else if (connecting) void connecting.then(() => current && listen(channel)).catch(() => undefined);
      return off;
    },
    onGap: (listener) => subscribers.addGap(listener),
    useLogger: (logger) => void (subscribers.logger = logger),
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await connecting;
      const target = current;
      current = null;
      if (target) {
        target.client.removeAllListeners('end');
        await target.client.end().catch(() => undefined);
      }
    },
  };
}

/** Postgres channel names are identifiers of at most 63 bytes. */
export function channelName(schema: string, channel: Channel): string {
  const name = `atelier.${schema}.${channel}`;
  if (Buffer.byteLength(name) <= 63) return name;
  return `atelier.${createHash('sha256').update(schema).digest('hex').slice(0, 16)}.${channel}`;
}
