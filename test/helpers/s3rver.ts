import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import type { ConfigFlags } from '../../src/config.js';
import { tempDir } from './temp-dir.js';

const BIN = path.join(path.dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');

/** s3rver's only account. It doesn't check signatures, only that the key id is its own. */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export interface FakeS3 {
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects. */
  dir: string;
  /** The settings of a server using the bucket, as flags and as a child process's environment. */
  flags: ConfigFlags;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * s3rver in a child process on a free loopback port, over a temp dir, with one bucket. The AWS
 * credential chain of this process (and of children given `env`) is pointed at it. Its list
 * continuation tokens are DES-encrypted, which Node's OpenSSL 3 allows only with the legacy provider.
 */
export async function startS3rver(bucket = 'atelier'): Promise<FakeS3> {
  const dir = tempDir('atelier-s3-');
  const child = spawn(process.execPath, ['--openssl-legacy-provider', BIN, '-d', dir, '-a', '127.0.0.1', '-p', '0', '-s', '--configure-bucket', bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on .*:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    exited.then(() => reject(new Error(`s3rver exited before listening:\n${stderr}`)));
  });
  Object.assign(process.env, S3RVER_CREDENTIALS);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    dir,
    flags: { s3Bucket: bucket, s3Endpoint: endpoint, s3ForcePathStyle: 'true' },
    env: { ...S3RVER_CREDENTIALS, ATELIER_S3_BUCKET: bucket, ATELIER_S3_ENDPOINT: endpoint, ATELIER_S3_FORCE_PATH_STYLE: 'true' },
    async close() {
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
