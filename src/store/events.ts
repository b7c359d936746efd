import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, EventTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The types that webhooks carry (see WEBHOOK_EVENTS in the contract). */
const DELIVERED = new Set(['generation.processing', 'generation.completed', 'generation.failed', 'file.ready', 'file.failed']);

/** Delivery ids start with the event id, zero-padded so they sort by it: newest first is `id desc`. */
const deliveryPrefix = (eventId: number) => String(eventId).padStart(15, '0');

/**
 * Appends an event to the log and, in the same statement batch, queues a webhook delivery for every
 * endpoint of the client (or of `keyId`, the key that made the subject) and the subject's own
 * `webhook_url` that want its type. Call it inside the transaction of the state change it records,
 * so neither exists without the other.
 */
export async function recordEvent(db: Db, event: Omit<EventTable, 'id'>, keyId: string | null): Promise<number> {
  const { id } = await db.insertInto('events').values(event).returning('id').executeTakeFirstOrThrow();
  if (!DELIVERED.has(event.type)) return id;
  const wants = (events: ReturnType<typeof sql.ref>) => sql<boolean>`(${events} = '' or (',' || ${events} || ',') like ${`%,${event.type},%`})`;
  const columns = ['id', 'client_id', 'endpoint_id', 'event_id', 'url', 'type', 'subject_id', 'state', 'attempts', 'next_attempt_at', 'created_at'] as const;
  await db
    .insertInto('webhook_deliveries')
    .columns(columns)
    .expression(
      db
        .selectFrom('webhook_endpoints')
        .select([
          sql<string>`${`${deliveryPrefix(id)}:`} || id`.as('id'),
          'client_id',
          sql<string | null>`id`.as('endpoint_id'),
          sql<number>`cast(${id} as bigint)`.as('event_id'),
          'url',
          sql<string>`${event.type}`.as('type'),
          sql<string>`${event.subject_id}`.as('subject_id'),
          sql<string>`'pending'`.as('state'),
          sql<number>`0`.as('attempts'),
          sql<number>`cast(${event.created_at} as bigint)`.as('next_attempt_at'),
          sql<number>`cast(${event.created_at} as bigint)`.as('created_at'),
        ])
        .where('client_id', '=', event.client_id)
        .where((eb) => (keyId === null ? eb('api_key_id', 'is', null) : eb.or([eb('api_key_id', 'is', null), eb('api_key_id', '=', keyId)])))
        .where('disabled_at', 'is', null)
        .where(wants(sql.ref('events')))
        .unionAll(
          db
            .selectFrom('webhook_subscriptions')
            .select([
              sql<string>`${`${deliveryPrefix(id)}:request`}`.as('id'),
              'client_id',
              sql<string | null>`cast(null as text)`.as('endpoint_id'),
              sql<number>`cast(${id} as bigint)`.as('event_id'),
              'url',
              sql<string>`${event.type}`.as('type'),
              'subject_id',
              sql<string>`'pending'`.as('state'),
              sql<number>`0`.as('attempts'),
              sql<number>`cast(${event.created_at} as bigint)`.as('next_attempt_at'),
              sql<number>`cast(${event.created_at} as bigint)`.as('created_at'),
            ])
            .where('subject_id', '=', event.subject_id)
            .where(wants(sql.ref('events'))),
        ),
    )
    .execute();
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
