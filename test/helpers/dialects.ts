import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';
import { tempDir } from './temp-dir.js';

/** Postgres for store tests: TEST_DATABASE_URL, else the machine's local server. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  /** A reason to skip, when the dialect's service is absent. */
  skip: string | false;
  open(): Promise<{ store: Store; cleanup(): Promise<void> }>;
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
        return {
          store,
          async cleanup() {
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
        return {
          store,
          async cleanup() {
            await store.close();
            await admin.query(`DROP SCHEMA ${schema} CASCADE`);
            await admin.end();
          },
        };
      },
    },
  ];
}
