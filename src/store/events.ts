import { sql, type Kysely, type Transaction } from 'kysely';
import { compiledOnce, execute } from './prepared.js';
import type { Database, EventTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The types that webhooks carry (see WEBHOOK_EVENTS in the contract). */
const DELIVERED = new Set(['generation.processing', 'generation.completed', 'generation.failed', 'file.ready', 'file.failed']);

/** Delivery ids start with the event id, zero-padded so they sort by it: newest first is `id desc`. */
const deliveryPrefix = (eventId: number) => String(eventId).padStart(15, '0');

const insertEvent = compiledOnce((db) =>
  db.insertInto('events').values({ client_id: '', subject_id: '', type: '', data: '', created_at: 0 }).returning('id'),
);

/**
 * The outbox rows of one event: one per enabled endpoint of the client (of every key, or of the
 * subject's key) and the subject's own `webhook_url`, that wants its type. Compiled once: it runs
 * in every state change's transaction. Parameters in order: see `recordEvent`.
 */
const fanOut = compiledOnce((db) => {
  const p = sql`${''}`;
  const wants = sql`(events = '' or (',' || events || ',') like ${''})`;
  const query = sql`insert into webhook_deliveries (id, client_id, endpoint_id, event_id, url, type, subject_id, state, attempts, next_attempt_at, created_at)
    select ${p} || id, client_id, id, cast(${p} as bigint), url, ${p}, ${p}, 'pending', 0, cast(${p} as bigint), cast(${p} as bigint)
      from webhook_endpoints
     where client_id = ${p} and (api_key_id is null or api_key_id = ${p}) and disabled_at is null and ${wants}
    union all
    select ${p}, client_id, cast(null as text), cast(${p} as bigint), url, ${p}, subject_id, 'pending', 0, cast(${p} as bigint), cast(${p} as bigint)
      from webhook_subscriptions
     where subject_id = ${p} and ${wants}`;
  return { compile: () => query.compile(db) };
});

/**
 * Appends an event to the log and, in the same statement batch, queues a webhook delivery for every
 * endpoint of the client (or of `keyId`, the key that made the subject) and the subject's own
 * `webhook_url` that want its type. Call it inside the transaction of the state change it records,
 * so neither exists without the other.
 */
export async function recordEvent(db: Db, event: Omit<EventTable, 'id'>, keyId: string | null): Promise<number> {
  const { rows } = await execute(db, insertEvent(db), [event.client_id, event.subject_id, event.type, event.data, event.created_at]);
  const id = Number(rows[0].id);
  if (!DELIVERED.has(event.type)) return id;
  const like = `%,${event.type},%`;
  const at = String(event.created_at);
  // prettier-ignore
  await execute(db, fanOut(db), [
    `${deliveryPrefix(id)}:`, String(id), event.type, event.subject_id, at, at, event.client_id, keyId, like,
    `${deliveryPrefix(id)}:request`, String(id), event.type, at, at, event.subject_id, like,
  ]);
  return id;
}

/** Events of a client (or of one subject) after `afterId`, oldest first. */
export async function listEvents(db: Db, filter: { clientId: string; subjectId?: string; afterId: number; limit: number }) {
  let query = db.selectFrom('events').selectAll().where('client_id', '=', filter.clientId).where('id', '>', filter.afterId);
  if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
  return query.orderBy('id').limit(filter.limit).execute();
}

/** The newest event id of all, of a client, or of one subject (0 if none): where a fresh stream starts. */
export async function lastEventId(db: Db, clientId?: string, subjectId?: string): Promise<number> {
  let query = db.selectFrom('events').select((eb) => eb.fn.max('id').as('id'));
  if (clientId) query = query.where('client_id', '=', clientId);
  if (subjectId) query = query.where('subject_id', '=', subjectId);
  const row = await query.executeTakeFirst();
  return Number(row?.id ?? 0);
}

export async function getEvent(db: Db, id: number) {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Drops events older than `before` that no pending delivery still needs. */
export async function pruneEvents(db: Db, before: number): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where('created_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('webhook_deliveries').select('webhook_deliveries.id').whereRef('webhook_deliveries.event_id', '=', 'events.id').where('state', '=', 'pending'))),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The clients with events after `afterId`. */
export async function clientsWithEventsAfter(db: Db, afterId: number): Promise<string[]> {
  const rows = await db.selectFrom('events').select('client_id').distinct().where('id', '>', afterId).execute();
  return rows.map((row) => row.client_id);
}
