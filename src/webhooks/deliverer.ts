import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import { monotonicMs, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { checkAddress, pinnedLookup, systemResolver } from '../media/fetch/index.js';
import { events, idempotency, webhooks, type Store, type WebhookDeliveryTable } from '../store/index.js';
import { newSecret } from './endpoints.js';
import { eventPayload } from './payload.js';
import type { BlobUrls } from '../storage/index.js';

export interface DelivererDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Mints the output URLs in payloads. */
  urls: BlobUrls;
  /** The origin output URLs in payloads start with. */
  baseUrl(): string;
  config: Pick<Config, 'webhookTimeoutMs' | 'webhookRetryMs' | 'allowPrivateUrls' | 'pollIntervalMs'>;
}

const BATCH = 8;
/** Events and idempotency keys are kept this long after their last use. */
const EVENT_TTL_MS = 3 * 24 * 60 * 60 * 1000;
const KEY_TTL_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Delivers the webhook outbox: claims due deliveries under a lease, POSTs each signed (Standard
 * Webhooks), logs every attempt, and on anything but a 2xx within the timeout tries again on the
 * retry schedule until it runs out. A worker that dies leaves its leases to lapse, so a delivery
 * is sent at least once, never lost; receivers dedupe by `webhook-id`.
 */
export class WebhookDeliverer {
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastPrune = -Infinity;
  private readonly agent: Agent;

  constructor(private readonly deps: DelivererDeps) {
    this.agent = new Agent({
      connect: { lookup: pinnedLookup(deps.config.allowPrivateUrls, checkAddress, systemResolver), timeout: deps.config.webhookTimeoutMs },
      headersTimeout: deps.config.webhookTimeoutMs,
      bodyTimeout: deps.config.webhookTimeoutMs,
    });
  }

  start(): void {
    this.loop = this.run();
  }

  /** Something was recorded that may need delivering. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.agent.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        await this.prune();
        const now = this.deps.clock.now();
        const due = await webhooks.claimDeliveries(this.deps.store.db, now, now + this.deps.config.webhookTimeoutMs * 3, BATCH);
        claimed = due.length;
        await Promise.all(due.map((delivery) => this.deliver(delivery)));
      } catch (err) {
        this.deps.logger.error({ err }, 'webhook delivery loop error');
      }
      if (claimed < BATCH) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.deps.config.pollIntervalMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async prune(): Promise<void> {
    const at = monotonicMs();
    if (at - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = at;
    const now = this.deps.clock.now();
    await events.pruneEvents(this.deps.store.db, now - EVENT_TTL_MS);
    await idempotency.pruneKeys(this.deps.store.db, now - KEY_TTL_MS);
  }

  /** The secrets that sign a delivery now: the current one, and a rotated one during its grace. */
  private async secretsOf(delivery: WebhookDeliveryTable, now: number): Promise<string[] | null> {
    const { store } = this.deps;
    const row =
      delivery.endpoint_id === null
        ? await webhooks.clientSecret(store.db, delivery.client_id, newSecret(), now)
        : await webhooks.getEndpoint(store.db, delivery.client_id, delivery.endpoint_id);
    return row ? webhooks.signingSecrets(row, now) : null;
  }

  /** One attempt: sign, POST, record. */
  async deliver(delivery: WebhookDeliveryTable): Promise<void> {
    const { store, clock, config } = this.deps;
    const attempt = delivery.attempts + 1;
    const started = monotonicMs();
    let status: number | null = null;
    let error: string | null = null;
    const event = await events.getEvent(store.db, delivery.event_id);
    const secrets = await this.secretsOf(delivery, clock.now());
    if (!event || !secrets) {
      error = event ? 'endpoint deleted' : 'event expired';
    } else {
      const now = clock.now();
      const body = JSON.stringify(await eventPayload(event, this.deps.urls, this.deps.baseUrl(), now));
      const id = `msg_${delivery.id}`;
      const timestamp = new Date(Math.floor(now / 1000) * 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Atelier-Webhooks/1',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp.getTime() / 1000),
        // Space-separated signatures, one per secret: a receiver accepts any it can verify.
        'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(' '),
      };
      try {
        const response = await request(delivery.url, {
          method: 'POST',
          headers,
          body,
          dispatcher: this.agent,
          signal: AbortSignal.timeout(config.webhookTimeoutMs),
        });
        status = response.statusCode;
        await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        if (status < 200 || status > 299) error = `HTTP ${status}`;
      } catch (err) {
        error = errorMessage(err);
      }
    }
    const now = clock.now();
    const delivered = error === null;
    const retryIn = config.webhookRetryMs[attempt - 1];
    const next = delivered
      ? { state: 'delivered' as const, next_attempt_at: null, delivered_at: now }
      : retryIn === undefined || !event || !secrets
        ? { state: 'failed' as const, next_attempt_at: null, delivered_at: null }
        : { state: 'pending' as const, next_attempt_at: now + retryIn, delivered_at: null };
    await store.transact((trx) =>
      webhooks.recordAttempt(
        trx,
        { delivery_id: delivery.id, attempt, at: now, status, error, duration_ms: Math.round(monotonicMs() - started) },
        { ...next, last_status: status, last_error: error },
      ),
    );
    if (!delivered) this.deps.logger.info({ delivery: delivery.id, attempt, status, error, state: next.state }, 'webhook not delivered');
  }
}
