import type { Command } from 'commander';
import { UsageError } from './usage-error.js';
import { withDotEnv } from '../config.js';
import { renderTable } from './table.js';
import { FAULT_GRAMMAR } from '../faults/fault.js';
import { dataDirTarget, httpTarget, type AdminRequest, type AdminTarget } from './admin-target.js';

const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

interface TargetOptions {
  url?: string;
  dataDir?: string;
  json?: boolean;
}


async function target(options: TargetOptions): Promise<AdminTarget> {
  if (options.dataDir) return dataDirTarget(options.dataDir);
  const env = withDotEnv();
  const url = options.url || env.ATELIER_URL || DEFAULT_SERVER_URL;
  const token = env.ATELIER_ADMIN_TOKEN;
  if (!token) {
    throw new UsageError(
      `no admin token: set ATELIER_ADMIN_TOKEN to the token the server at ${url} was started with, or pass --data-dir to work on a data dir's store directly`,
    );
  }
  try {
    return httpTarget(url, token);
  } catch (err) {
    throw new UsageError(`--url/ATELIER_URL: ${(err as Error).message}`);
  }
}

/** An action that sends what `build` makes of the command's arguments and prints the answer (nothing for a 204). */
export function run(build: (...args: any[]) => AdminRequest) {
  return async (...args: any[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.optsWithGlobals() as TargetOptions;
    let admin: AdminTarget | undefined;
    try {
      const request = build(...args.slice(0, -1));
      admin = await target(options);
      const { status, body } = await admin.send(request);
      if (status >= 400) {
        process.stderr.write(`error: ${body?.detail ?? `HTTP ${status}`}\n`);
        process.exitCode = 1;
      } else if (body === null) {
        // 204: done, nothing to show
      } else if (process.stdout.isTTY && !options.json) {
        process.stdout.write(renderTable(body));
      } else {
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      }
    } catch (err) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    } finally {
      await admin?.close();
    }
  };
}

const usd = (value: string) => {
  const amount = Number(value);
  if (!(amount >= 0)) throw new UsageError(`'${value}' is not an amount in USD`);
  return amount;
};
const count = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** The options every admin command takes: where the admin API is, and how to print. */
export const withTarget = (command: Command) =>
  command
    .option('--url <url>', 'a running server (ATELIER_URL; needs ATELIER_ADMIN_TOKEN)')
    .option('--data-dir <dir>', "work directly on a data dir's store (DATABASE_URL when set): no server or token needed")
    .option('--json', 'print JSON (the default when stdout is not a terminal)');

/** `atelier clients|keys|credits …`: the admin API from the command line. */
export function adminCommands(program: Command): void {
  const clients = withTarget(program.command('clients').description('Create, list, suspend and reactivate clients'));
  clients
    .command('create')
    .requiredOption('--name <name>', 'what to call the client')
    .option('--credits <usd>', 'starting balance; omit for unlimited')
    .option('--rpm <n>', 'requests per minute (0 = unlimited)')
    .option('--max-concurrent <n>', 'concurrent generations (0 = unlimited)')
    .description('Create a client and its first key (shown once)')
    .action(
      run((o: { name: string; credits?: string; rpm?: string; maxConcurrent?: string }) => ({
        method: 'POST',
        path: '/clients',
        body: { name: o.name, credits_usd: o.credits === undefined ? null : usd(o.credits), rpm_limit: count(o.rpm) ?? null, max_concurrent: count(o.maxConcurrent) ?? null },
      })),
    );
  clients.command('list').action(run(() => ({ method: 'GET', path: '/clients' })));
  for (const [name, status] of [
    ['suspend', 'suspended'],
    ['deactivate', 'deactivated'],
    ['reactivate', 'active'],
  ]) {
    clients
      .command(`${name} <client-id>`)
      .action(run((id: string) => ({ method: 'PATCH', path: `/clients/${encodeURIComponent(id)}`, body: { status } })));
  }

  const keys = withTarget(program.command('keys').description('Create, list, revoke and expire API keys'));
  keys
    .command('create <client-id>')
    .option('--expires-at <iso>', 'when the key stops working')
    .option('--fault <fault>', `emulator fault every submission of the key gets: ${FAULT_GRAMMAR}`)
    .action(
      run((id: string, o: { expiresAt?: string; fault?: string }) => ({
        method: 'POST',
        path: `/clients/${encodeURIComponent(id)}/keys`,
        body: { expires_at: o.expiresAt ?? null, fault: o.fault ?? null },
      })),
    );
  keys
    .command('update <key-id>')
    .requiredOption('--fault <fault>', `the key's emulator fault (${FAULT_GRAMMAR}), or 'none'`)
    .action(run((id: string, o: { fault: string }) => ({ method: 'PATCH', path: `/keys/${encodeURIComponent(id)}`, body: { fault: o.fault } })));
  keys.command('list <client-id>').action(run((id: string) => ({ method: 'GET', path: `/clients/${encodeURIComponent(id)}/keys` })));
  keys.command('revoke <key-id>').action(run((id: string) => ({ method: 'PATCH', path: `/keys/${encodeURIComponent(id)}`, body: { revoked: true } })));
  keys
    .command('expire <key-id>')
    .requiredOption('--at <iso>', 'the moment it expires')
    .action(run((id: string, o: { at: string }) => ({ method: 'PATCH', path: `/keys/${encodeURIComponent(id)}`, body: { expires_at: o.at } })));

  const credits = withTarget(program.command('credits').description('Balances and the ledger'));
  for (const op of ['credit', 'debit', 'set'] as const) {
    credits
      .command(`${op} <client-id> <usd>`)
      .option('--reason <text>', 'recorded in the ledger')
      .action(
        run((id: string, amount: string, o: { reason?: string }) => ({
          method: 'POST',
          path: `/clients/${encodeURIComponent(id)}/credits`,
          body: { op, amount_usd: usd(amount), reason: o.reason ?? null },
        })),
      );
  }
  credits.command('unlimited <client-id>').action(run((id: string) => ({ method: 'POST', path: `/clients/${encodeURIComponent(id)}/credits`, body: { op: 'unlimited' } })));
  credits.command('ledger <client-id>').action(run((id: string) => ({ method: 'GET', path: `/clients/${encodeURIComponent(id)}/ledger` })));
  credits
    .command('budget <client-id> <user-id> <period> <usd>')
    .description("cap a user_id's spend per 'day' or 'month'; 'none' removes the cap")
    .action(
      run((id: string, userId: string, period: string, amount: string) => ({
        method: 'PUT',
        path: `/clients/${encodeURIComponent(id)}/budgets/${encodeURIComponent(userId)}`,
        body: { period, limit_usd: amount === 'none' ? null : usd(amount) },
      })),
    );

  withTarget(program.command('workers').description('Server processes (serve, api, worker) seen in the last hour: alive or not, and the jobs each runs')).action(
    run(() => ({ method: 'GET', path: '/workers' })),
  );

  withTarget(
    program.command('engines').description("Remote engines in each live process: breaker (closed, open, half-open; per process), failures in a row, jobs in flight of the limit"),
  ).action(run(() => ({ method: 'GET', path: '/engines' })));

  withTarget(
    program
      .command('reset')
      .description('Empty the emulator between tests: every generation, file and blob (clients, keys and balances stay)'),
  ).action(run(() => ({ method: 'POST', path: '/reset' })));

  withTarget(
    program
      .command('latency [profile]')
      .description('The emulator latency profile: show it, or set instant, realistic or fixed:<ms> for generations submitted from now on'),
  ).action(run((profile?: string) => (profile === undefined ? { method: 'GET', path: '/emulator' } : { method: 'PATCH', path: '/emulator', body: { latency: profile } })));

  const clock = program.command('clock').description("A virtual clock's time (the server runs with --clock virtual)");
  clock.option('--url <url>', 'a running server (ATELIER_URL; needs ATELIER_ADMIN_TOKEN)').option('--json', 'print JSON (the default when stdout is not a terminal)');
  clock.command('now').action(run(() => ({ method: 'GET', path: '/clock' })));
  clock
    .command('advance <seconds>')
    .description('move the clock forward: signed URLs, rate windows, latency and timeouts follow')
    .action(
      run((seconds: string) => {
        const value = Number(seconds);
        if (!(value >= 0)) throw new UsageError(`'${seconds}' is not a number of seconds`);
        return { method: 'POST', path: '/clock/advance', body: { seconds: value } };
      }),
    );
}
