import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sharedState, type Store } from '../store/index.js';

/** The URL-signing secret, generated into the data dir on the first start. */
export function loadSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
}

export const SECRET_SETTING = 'url_secret';

/**
 * The one secret every process signs and checks URLs with: ATELIER_SECRET when set; else, with
 * the store in the data dir, the data dir's file; else generated once into the database, so a URL
 * minted by one API process verifies on every other.
 */
export async function loadSharedSecret(store: Store, options: { secret: string; dataDir: string; now: number }): Promise<Buffer> {
  if (options.secret) return Buffer.from(options.secret, 'utf8');
  if (store.dialect.inDataDir) return loadSecret(options.dataDir);
  return Buffer.from(await sharedState.settingOnce(store.db, SECRET_SETTING, randomBytes(32).toString('hex'), options.now), 'hex');
}
