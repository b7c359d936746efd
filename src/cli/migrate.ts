import type { Command } from 'commander';
import { loadConfig, withDotEnv } from '../config.js';
import { migrate, MigrationMismatch, MigrationRefused, renderReport } from '../migrate/index.js';

/** `atelier migrate`: an embedded install into Postgres (docs/scale-out.md, "Moving an embedded install"). */
export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Copy a stopped embedded install (its SQLite data dir) into Postgres; safe to re-run, verified at the end')
    .option('--from <dir>', 'data dir of the embedded install, its server stopped (ATELIER_DATA_DIR, default ./data)')
    .option('--to <url>', 'Postgres URL; a search_path in it (?options=-c%20search_path%3Dname) selects the schema (DATABASE_URL)')
    .action(async (flags: { from?: string; to?: string }) => {
      const config = loadConfig({ dataDir: flags.from, databaseUrl: flags.to }, withDotEnv());
      if (!config.databaseUrl) {
        process.stderr.write('atelier migrate: no target: pass --to postgres://… (or set DATABASE_URL)\n');
        process.exit(2);
      }
      try {
        const report = await migrate({ from: config.dataDir, to: config.databaseUrl, blobs: null });
        process.stdout.write(renderReport(report));
        if (!report.verified) {
          process.stderr.write('atelier migrate: the target differs from the source after the copy: was a server writing to the source meanwhile?\n');
          process.exitCode = 1;
        }
      } catch (err) {
        if (!(err instanceof MigrationRefused)) throw err;
        if (err instanceof MigrationMismatch) process.stdout.write(renderReport(err.report));
        process.stderr.write(`atelier migrate: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
