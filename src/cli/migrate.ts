import { Option, type Command } from 'commander';
import { loadConfig, withDotEnv } from '../config.js';
import { migrate, MigrationMismatch, MigrationRefused, renderReport } from '../migrate/index.js';
import { BlobStoreUnreachable, openBlobStore, type BlobStore } from '../storage/index.js';

interface MigrateFlags {
  from?: string;
  to?: string;
  blobs?: 'data-dir' | 's3';
  s3Bucket?: string;
  s3Endpoint?: string;
  s3Region?: string;
  s3ForcePathStyle?: boolean;
}

/** `atelier migrate`: an embedded install into Postgres (docs/scale-out.md, "Moving an embedded install"). */
export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Copy a stopped embedded install (its SQLite data dir) into Postgres, and its blobs into S3; safe to re-run, verified at the end')
    .option('--from <dir>', 'data dir of the embedded install, its server stopped (ATELIER_DATA_DIR, default ./data)')
    .option('--to <url>', 'Postgres URL; a search_path in it (?options=-c%20search_path%3Dname) selects the schema (DATABASE_URL)')
    .addOption(new Option('--blobs <where>', 'data-dir (default): blobs stay, the target runs on the same data dir; s3: streamed into the bucket').choices(['data-dir', 's3']))
    .option('--s3-bucket <name>', 'the bucket of --blobs s3; credentials from the AWS chain (ATELIER_S3_BUCKET)')
    .option('--s3-endpoint <url>', 'an S3-compatible service instead of AWS (ATELIER_S3_ENDPOINT)')
    .option('--s3-region <region>', 'the bucket\'s region, default AWS_REGION or us-east-1 (ATELIER_S3_REGION)')
    .option('--s3-force-path-style', 'address the bucket as <endpoint>/<bucket> (ATELIER_S3_FORCE_PATH_STYLE)')
    .action(async (flags: MigrateFlags) => {
      const { from, to, blobs: _blobs, s3ForcePathStyle, ...s3 } = flags;
      const config = loadConfig({ dataDir: from, databaseUrl: to, ...s3, ...(s3ForcePathStyle ? { s3ForcePathStyle: 'true' } : {}) }, withDotEnv());
      const usage = (message: string) => {
        process.stderr.write(`atelier migrate: ${message}\n`);
        process.exit(2);
      };
      if (!config.databaseUrl) usage('no target: pass --to postgres://… (or set DATABASE_URL)');
      if (flags.blobs === 's3' && !config.s3) usage('--blobs s3 needs the bucket: pass --s3-bucket <name> (or set ATELIER_S3_BUCKET)');
      if (flags.blobs !== 's3' && config.s3) {
        usage(`a bucket is set (${config.s3.bucket}), so the target will look for blobs there: pass --blobs s3 to copy them into it, or unset ATELIER_S3_BUCKET to keep them in the data dir`);
      }
      let bucket: BlobStore | null = null;
      try {
        bucket = config.s3 ? await openBlobStore(config) : null;
        const report = await migrate({ from: config.dataDir, to: config.databaseUrl, blobs: bucket && { store: bucket, name: `s3://${config.s3!.bucket}` } });
        process.stdout.write(renderReport(report));
        if (!report.verified) {
          process.stderr.write('atelier migrate: the target differs from the source after the copy: was a server writing to the source meanwhile?\n');
          process.exitCode = 1;
        }
      } catch (err) {
        if (!(err instanceof MigrationRefused || err instanceof BlobStoreUnreachable)) throw err;
        if (err instanceof MigrationMismatch) process.stdout.write(renderReport(err.report));
        process.stderr.write(`atelier migrate: ${err.message}\n`);
        process.exitCode = 1;
      } finally {
        bucket?.close();
      }
    });
}
