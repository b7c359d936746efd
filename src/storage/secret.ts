import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

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
