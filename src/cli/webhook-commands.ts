import type { Command } from 'commander';
import { run, withTarget } from './admin-commands.js';
import { UsageError } from './usage-error.js';

const id = encodeURIComponent;
const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter(Boolean));

/** `--client <id>` or `--key <id>`, exactly one: whose endpoints. */
function owner(o: { client?: string; key?: string }): string {
  if (!o.client === !o.key) throw new UsageError('give exactly one of --client <client-id> or --key <key-id>');
  return o.key ? `/keys/${id(o.key)}/webhooks` : `/clients/${id(o.client!)}/webhooks`;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`'${value}' is not a whole number of seconds`);
  return n;
}

/** `atelier webhooks …`: webhook endpoints of a client or of one key, secret rotation and the delivery log, through the admin API. */
export function webhookCommands(program: Command): void {
  const webhooks = withTarget(program.command('webhooks').description("Webhook endpoints of a client or of one of its keys, secret rotation, and the delivery log (extension)"));
  webhooks
    .command('create <endpoint-url>')
    .description("Register an endpoint that deliveries are POSTed to; its secret is shown once. With --key it gets only that key's generations and files")
    .option('--client <client-id>', 'for every key of this client')
    .option('--key <key-id>', 'for this key only')
    .option('--events <types>', 'comma list, e.g. generation.completed,generation.failed (default: all)')
    .option('--description <text>')
    .action(
      run((url: string, o: { client?: string; key?: string; events?: string; description?: string }) => ({
        method: 'POST',
        path: owner(o),
        body: { url, events: list(o.events), description: o.description },
      })),
    );
  webhooks
    .command('list')
    .description("A client's endpoints (its keys' included), or one key's")
    .option('--client <client-id>')
    .option('--key <key-id>')
    .action(run((o: { client?: string; key?: string }) => ({ method: 'GET', path: owner(o) })));
  webhooks.command('get <webhook-id>').action(run((webhookId: string) => ({ method: 'GET', path: `/webhooks/${id(webhookId)}` })));
  webhooks
    .command('update <webhook-id>')
    .option('--endpoint-url <url>', 'where deliveries go from now on')
    .option('--events <types>', 'comma list; an empty string means all')
    .option('--description <text>')
    .option('--enable', 'deliver again')
    .option('--disable', 'stop delivering (events meanwhile are not queued for it)')
    .action(
      run((webhookId: string, o: { endpointUrl?: string; events?: string; description?: string; enable?: boolean; disable?: boolean }) => {
        if (o.enable && o.disable) throw new UsageError('--enable and --disable together');
        const enabled = o.enable ? true : o.disable ? false : undefined;
        return { method: 'PATCH', path: `/webhooks/${id(webhookId)}`, body: { url: o.endpointUrl, events: list(o.events), description: o.description, enabled } };
      }),
    );
  webhooks.command('delete <webhook-id>').action(run((webhookId: string) => ({ method: 'DELETE', path: `/webhooks/${id(webhookId)}` })));
  webhooks
    .command('rotate <webhook-id>')
    .description('A new secret, shown once; the old one keeps signing beside it for the grace period')
    .option('--grace <seconds>', 'how long the old secret keeps signing (default: the server\'s ATELIER_WEBHOOK_SECRET_GRACE_MS, 24 h); 0 drops it now')
    .action(run((webhookId: string, o: { grace?: string }) => ({ method: 'POST', path: `/webhooks/${id(webhookId)}/rotate`, body: { grace_seconds: seconds(o.grace) } })));
  webhooks
    .command('deliveries <client-id>')
    .description("A client's delivery log, newest first")
    .option('--endpoint <webhook-id>')
    .option('--subject <id>', 'a generation or file id')
    .option('--state <state>', 'pending, delivered or failed')
    .option('--limit <n>', '1–100 (default 25)')
    .option('--cursor <cursor>', "the previous page's next_cursor")
    .action(
      run((clientId: string, o: { endpoint?: string; subject?: string; state?: string; limit?: string; cursor?: string }) => {
        const query = new URLSearchParams();
        for (const [name, value] of [['endpoint_id', o.endpoint], ['subject_id', o.subject], ['state', o.state], ['limit', o.limit], ['cursor', o.cursor]] as const) {
          if (value !== undefined) query.set(name, value);
        }
        return { method: 'GET', path: `/clients/${id(clientId)}/webhooks/deliveries${query.size ? `?${query}` : ''}` };
      }),
    );
  webhooks.command('delivery <delivery-id>').description('A delivery and every attempt').action(run((deliveryId: string) => ({ method: 'GET', path: `/webhooks/deliveries/${id(deliveryId)}` })));
  webhooks.command('redeliver <delivery-id>').description('Send a delivery again now (same webhook-id)').action(run((deliveryId: string) => ({ method: 'POST', path: `/webhooks/deliveries/${id(deliveryId)}/redeliver` })));
}
