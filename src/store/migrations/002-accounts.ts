import { type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('clients').addColumn('balance_micros', 'bigint').execute();
  await db.schema.alterTable('generations').addColumn('price_micros', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createIndex('generations_client_user_created')
    .on('generations')
    .columns(['client_id', 'user_id', 'created_at'])
    .execute();
  await db.schema.createIndex('generations_client_created').on('generations').columns(['client_id', 'created_at']).execute();

  await db.schema
    .createTable('ledger')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_micros', 'bigint', (c) => c.notNull())
    .addColumn('generation_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_client_created').on('ledger').columns(['client_id', 'created_at']).execute();
  await db.schema.createIndex('ledger_generation').on('ledger').columns(['generation_id', 'kind']).execute();

  await db.schema
    .createTable('user_budgets')
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('limit_micros', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_budgets_pk', ['client_id', 'user_id', 'period'])
    .execute();
}
