import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from './temp-dir.js';

/** Postgres for store tests: TEST_DATABASE_URL, else the machine's local server. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface OpenedStore {
  store: Store;
  /** The schema of a Postgres store. */
  schema?: string;
  /** Another store on the same data, as a second process would open it; closed by cleanup. */
  another(): Promise<Store>;
  cleanup(): Promise<void>;
}

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  /** A reason to skip, when the dialect's service is absent. */
  skip: string | false;
  open(): Promise<OpenedStore>;
}

async function postgresAvailable(): Promise<string | false> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return false;
  } catch (err) {
    return `PostgreSQL not reachable at ${POSTGRES_URL} (${(err as Error).message}); set TEST_DATABASE_URL to run the Postgres store tests`;
  }
}

/** Each store test runs once per dialect; Postgres tests each get a schema of their own. */
export async function dialects(): Promise<DialectCase[]> {
  const pgSkip = await postgresAvailable();
  return [
    {
      name: 'sqlite',
      skip: false,
      async open() {
        const dir = tempDir('atelier-store-');
        const store = await openStore({ dataDir: dir });
        const others: Store[] = [];
        return {
          store,
          async another() {
            const other = await openStore({ dataDir: dir, shared: true });
            others.push(other);
            return other;
          },
          async cleanup() {
            for (const other of others) await other.close();
            await store.close();
            fs.rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      skip: pgSkip,
      async open() {
        const schema = `atelier_test_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: POSTGRES_URL });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        const store = await openStore({ databaseUrl: POSTGRES_URL, schema }).catch(async (err) => {
          // A failed open must not leave this connection holding the test process open.
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
          throw err;
        });
        const others: Store[] = [];
        return {
          store,
          schema,
          async another() {
            const other = await openStore({ databaseUrl: POSTGRES_URL, schema });
            others.push(other);
            return other;
          },
          async cleanup() {
            for (const other of others) await other.close();
            await store.close();
            await admin.query(`DROP SCHEMA ${schema} CASCADE`);
            await admin.end();
          },
        };
      },
    },
  ];
}

/** A fresh Postgres schema for server processes: its DATABASE_URL names it as the search path. */
export async function postgresSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `atelier_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    async drop() {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** Why Postgres tests skip, or false when it is reachable. */
export async function postgresSkip(): Promise<string | false> {
  return postgresAvailable();
}
