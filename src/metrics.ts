import client from 'prom-client';
import type { Events } from './events.js';

/** Prometheus instruments, on a registry of their own (several servers can share a process). */
export class Metrics {
  readonly registry = new client.Registry();
  readonly requests = new RequestTally();
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

  constructor(queueDepth: () => Promise<number>) {
    this.requests.register(this.registry);
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

  /** Per-engine instruments: tries by outcome, their duration, upstream calls, in flight, breakers, fallbacks. */
  observeEngines(events: Events, inFlight: () => Record<string, number>): void {
    const registers = [this.registry];
    const tries = new client.Counter({ name: 'atelier_engine_jobs_total', help: 'Remote engine tries by engine and outcome (completed, or the failure code)', labelNames: ['engine', 'outcome'], registers });
    const tryDuration = new client.Histogram({
      name: 'atelier_engine_job_duration_seconds',
      help: 'Remote engine tries, submit to done, by engine',
      labelNames: ['engine'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    const calls = new client.Counter({ name: 'atelier_engine_upstream_requests_total', help: 'HTTP calls to engine backends by engine and status', labelNames: ['engine', 'status'], registers });
    const callDuration = new client.Histogram({
      name: 'atelier_engine_upstream_request_duration_seconds',
      help: 'HTTP calls to engine backends, by engine',
      labelNames: ['engine'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const breakers = new client.Gauge({ name: 'atelier_engine_breaker_open', help: '1 while an engine breaker is open or half-open', labelNames: ['engine'], registers });
    const fallbacks = new client.Counter({ name: 'atelier_engine_fallbacks_total', help: 'Chains moving from one engine to the next', labelNames: ['from', 'to'], registers });
    new client.Gauge({
      name: 'atelier_engine_in_flight',
      help: 'Jobs in flight per remote engine lane in this process',
      labelNames: ['engine'],
      registers,
      collect() {
        for (const [engine, n] of Object.entries(inFlight())) this.set({ engine }, n);
      },
    });
    events.on('engine:finished', (e) => {
      tries.inc({ engine: e.engine, outcome: e.code ?? 'completed' });
      tryDuration.observe({ engine: e.engine }, e.ms / 1000);
    });
    events.on('engine:call', (e) => {
      calls.inc({ engine: e.engine, status: String(e.status) });
      callDuration.observe({ engine: e.engine }, e.ms / 1000);
    });
    events.on('engine:breaker', (e) => breakers.set({ engine: e.engine }, e.state === 'closed' ? 0 : 1));
    events.on('engine:fallback', (e) => fallbacks.inc({ from: e.from, to: e.to }));
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

const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

interface RequestKind {
  statuses: Map<number, number>;
  /** Requests per duration bucket, not yet cumulative; the last counts those above every bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * HTTP requests by method, route and status, and their durations. prom-client resolves and hashes
 * labels on every call, which costs more than the request's own routing, so requests are counted in
 * plain maps here and read out in prom-client's format at scrape.
 */
class RequestTally {
  private readonly routes = new Map<string, Map<string, RequestKind>>();

  observe(method: string, route: string, status: number, seconds: number): void {
    let methods = this.routes.get(route);
    if (!methods) this.routes.set(route, (methods = new Map()));
    let kind = methods.get(method);
    if (!kind) methods.set(method, (kind = { statuses: new Map(), buckets: new Array(REQUEST_BUCKETS.length + 1).fill(0), sum: 0, count: 0 }));
    kind.statuses.set(status, (kind.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < REQUEST_BUCKETS.length && seconds > REQUEST_BUCKETS[bucket]) bucket++;
    kind.buckets[bucket]++;
    kind.sum += seconds;
    kind.count++;
  }

  register(registry: client.Registry): void {
    this.export(registry, 'atelier_http_requests_total', 'HTTP requests by method, route and status', 'counter', (method, route, kind) =>
      [...kind.statuses].map(([status, value]) => ({ labels: { method, route, status: String(status) }, value })),
    );
    this.export(registry, 'atelier_http_request_duration_seconds', 'HTTP request duration', 'histogram', (method, route, kind) => {
      const name = 'atelier_http_request_duration_seconds';
      let cumulative = 0;
      return [
        ...REQUEST_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le, method, route }, value: (cumulative += kind.buckets[i]) })),
        { metricName: `${name}_bucket`, labels: { le: '+Inf', method, route }, value: kind.count },
        { metricName: `${name}_sum`, labels: { method, route }, value: kind.sum },
        { metricName: `${name}_count`, labels: { method, route }, value: kind.count },
      ];
    });
  }

  private export(
    registry: client.Registry,
    name: string,
    help: string,
    type: 'counter' | 'histogram',
    values: (method: string, route: string, kind: RequestKind) => { metricName?: string; labels: client.LabelValues<string>; value: number }[],
  ): void {
    const get = async () => ({
      name,
      help,
      type,
      aggregator: 'sum',
      values: [...this.routes].flatMap(([route, methods]) => [...methods].flatMap(([method, kind]) => values(method, route, kind))),
    });
    registry.registerMetric({ name, help, type, aggregator: 'sum', get, reset: () => this.routes.clear() } as unknown as client.Metric);
  }
}
