import type { Command } from 'commander';
import { loadConfig, withDotEnv, type ConfigFlags } from '../config.js';
import { startServer, type Role } from '../server.js';

const DESCRIPTIONS: Record<Role, string> = {
  serve: 'Run the API server and its workers in one process',
  api: 'Run the HTTP API only; worker processes run the jobs (scale-out)',
  worker: 'Run jobs, file ingest and sweeps only, with /healthz and /metrics on --metrics-port (scale-out)',
};

/** `atelier serve` (the start contract of DESIGN.md), `atelier api` and `atelier worker`: one set of flags. */
export function serveCommand(program: Command): void {
  for (const role of ['serve', 'api', 'worker'] as const) roleCommand(program, role);
}

function roleCommand(program: Command, role: Role): void {
  program
    .command(role)
    .description(DESCRIPTIONS[role])
    .option('--host <host>', 'address to listen on (ATELIER_HOST)')
    .option('--port <port>', 'port of the API (ATELIER_PORT)')
    .option('--metrics-port <port>', 'port of /healthz and /metrics in atelier worker, default 9464 (ATELIER_METRICS_PORT)')
    .option('--data-dir <dir>', 'store, blobs and secret (ATELIER_DATA_DIR)')
    .option('--log-format <format>', 'auto (pretty on a terminal, JSON otherwise), json or pretty (ATELIER_LOG_FORMAT)')
    .option('--rpm <n>', 'requests per minute per client, 0 = unlimited (ATELIER_RPM)')
    .option('--max-concurrent <n>', 'running generations per client, 0 = unlimited (ATELIER_MAX_CONCURRENT)')
    .option('--workers <n>', 'jobs run at once by this process; 0 with serve = API only (ATELIER_WORKERS)')
    .option('--credits <usd>', 'balance of each client seeded from ATELIER_API_KEYS (ATELIER_CREDITS)')
    .option('--public-url <url>', 'origin used in minted URLs (ATELIER_PUBLIC_URL)')
    .option('--moderation <mode>', 'off | prompt | full: what is moderated (ATELIER_MODERATION)')
    .option('--allow-private-urls', 'let URL inputs use http:// and private addresses; local development only (ATELIER_ALLOW_PRIVATE_URLS)')
    .option('--mode <mode>', 'emulator (default) or gateway; gateway refuses the emulator extras (ATELIER_MODE)')
    .option('--latency <profile>', 'instant (default), realistic or fixed:<ms> (ATELIER_LATENCY)')
    .option('--time-scale <factor>', 'multiplies simulated durations, e.g. 0.01 (ATELIER_TIME_SCALE)')
    .option('--clock <clock>', 'system (default) or virtual, moved by `atelier clock advance` (ATELIER_CLOCK)')
    .option('--chaos <rate>', 'share of submissions given a random fault, 0..1 (ATELIER_CHAOS)')
    .option('--chaos-seed <n>', 'seed of the chaos faults, default 1 (ATELIER_CHAOS_SEED)')
    .option('--config <file>', 'routing file: engines and the models they serve, see docs/engines.md (ATELIER_CONFIG)')
    .option('--key-faults <json|file>', 'per-key fault scenarios {"luma-api-…": "<fault>"} (ATELIER_KEY_FAULTS)')
    .option('--s3-bucket <name>', 'keep blobs in this S3 bucket, not the data dir; credentials from the AWS chain (ATELIER_S3_BUCKET)')
    .option('--s3-endpoint <url>', 'an S3-compatible service instead of AWS (ATELIER_S3_ENDPOINT)')
    .option('--s3-region <region>', 'the bucket\'s region, default AWS_REGION or us-east-1 (ATELIER_S3_REGION)')
    .option('--s3-force-path-style', 'address the bucket as <endpoint>/<bucket> (ATELIER_S3_FORCE_PATH_STYLE)')
    .option('--blob-urls <mode>', 'presigned (default: output URLs are the bucket\'s) or proxy (our /v1/blobs, streamed from the bucket) (ATELIER_BLOB_URLS)')
    .option('--strict', 'turn every extension off: spec requests and responses only (ATELIER_STRICT)')
    .action(async (flags: ConfigFlags) => {
      const config = loadConfig(flags, withDotEnv());
      const server = await startServer(config, { role }).catch((err: NodeJS.ErrnoException) => {
        const refused = role === 'worker' ? listenRefusal(err, config.host, config.metricsPort, '--metrics-port', 'ATELIER_METRICS_PORT') : listenRefusal(err, config.host, config.port);
        if (!refused) throw err;
        process.stderr.write(`atelier: ${refused}\n`);
        process.exit(1);
      });
      if (server.devKey) {
        process.stdout.write(
          `\nNo API key was configured, so one was created. It is shown only this once:\n\n  ${server.devKey}\n\n` +
            `Use it as: Authorization: Bearer ${server.devKey}\n\n`,
        );
      }
      let closing = false;
      const shutdown = (signal: string) => {
        if (closing) return;
        closing = true;
        server.app.log.info({ signal, role }, 'draining');
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
    });
}

/** One line for a port we can't listen on, naming the flag that changes it; null for other errors. */
export function listenRefusal(err: NodeJS.ErrnoException, host: string, port: number, flag = '--port', env = 'ATELIER_PORT'): string | null {
  if (err.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (another Atelier, or another program): pass ${flag} <n> (${env}) to use another, or ${flag} 0 for any free one`;
  }
  if (err.code === 'EACCES') return `no permission to listen on port ${port} on ${host}: pass ${flag} <n> (${env}) with a port above 1023`;
  if (err.code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: pass --host <address> (ATELIER_HOST), e.g. 127.0.0.1 or 0.0.0.0`;
  return null;
}
