import client from 'prom-client';
import type { Events } from './events.js';

/** Prometheus instruments, on a registry of their own (several servers can share a process). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly requests = new client.Counter({
    name: 'atelier_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly requestDuration = new client.Histogram({
    name: 'atelier_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly jobDuration = new client.Histogram({
    name: 'atelier_job_duration_seconds',
    help: 'Time from claim to a terminal state, by type, model and outcome',
    labelNames: ['type', 'model', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly engineErrors = new client.Counter({
    name: 'atelier_engine_errors_total',
    help: 'Failed generations by failure code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  readonly moderationDecisions = new client.Counter({
    name: 'atelier_moderation_decisions_total',
    help: 'Moderation checks by stage (prompt, input, output) and decision (allowed, flagged)',
    labelNames: ['stage', 'decision'],
    registers: [this.registry],
  });
  readonly moderationDuration = new client.Histogram({
    name: 'atelier_moderation_check_duration_seconds',
    help: 'Time one moderation check took, by stage (prompt checks land under 1 ms)',
    labelNames: ['stage'],
    buckets: [0.001, 0.01, 0.1, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly jobRetries = new client.Counter({
    name: 'atelier_job_retries_total',
    help: 'Job attempts retried after an unexpected error',
    registers: [this.registry],
  });

  readonly faults = new client.Counter({
    name: 'atelier_faults_injected_total',
    help: 'Faults the emulator injected, by fault and where it came from (header, key, config, chaos)',
    labelNames: ['fault', 'source'],
    registers: [this.registry],
  });

  /** Label children by request kind: resolving labels on every request costs more than counting. */
  private readonly requestInstruments = new Map<string, { count: client.Counter.Internal; duration: client.Histogram.Internal<string> }>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let instruments = this.requestInstruments.get(key);
    if (!instruments) {
      instruments = { count: this.requests.labels(method, route, String(status)), duration: this.requestDuration.labels(method, route) };
      this.requestInstruments.set(key, instruments);
    }
    instruments.count.inc();
    instruments.duration.observe(seconds);
  }

  constructor(queueDepth: () => Promise<number>) {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'atelier_' });
    new client.Gauge({
      name: 'atelier_queue_depth',
      help: 'Jobs waiting or running',
      registers: [this.registry],
      async collect() {
        this.set(await queueDepth());
      },
    });
  }

  observe(events: Events): void {
    events.on('job:completed', (e) => this.jobDuration.observe({ type: e.type, model: e.model, outcome: 'completed' }, e.ms / 1000));
    events.on('job:failed', (e) => {
      this.jobDuration.observe({ type: e.type, model: e.model, outcome: 'failed' }, e.ms / 1000);
      this.engineErrors.inc({ code: e.code });
    });
    events.on('job:retried', () => this.jobRetries.inc());
    events.on('moderation:decided', (e) => {
      this.moderationDecisions.inc({ stage: e.stage, decision: e.flagged ? 'flagged' : 'allowed' });
      this.moderationDuration.observe({ stage: e.stage }, e.ms / 1000);
    });
    events.on('fault:injected', (e) => this.faults.inc({ fault: e.fault, source: e.source }));
  }
}
