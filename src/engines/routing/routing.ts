import type { Logger } from 'pino';
import { MODEL_TYPES, MODELS, type GenerationKind, type GenerationRequest } from '../../contract/index.js';
import { priceOf } from '../../accounts/pricing.js';
import type { Engine } from '../engine.js';
import { REMOTE_ENGINE_TYPES } from '../remote/engine-types.js';
import type { EngineCallbacks } from '../remote/callbacks.js';
import type { RemoteEngine, ResolvedEngineEntry } from '../remote/remote-engine.js';
import { Breaker, type BreakerSnapshot, type BreakerState } from '../remote/breaker.js';
import { createUpstreamHttp, type UpstreamHttp } from '../remote/upstream-http.js';
import { defaultLocalEngine, LOCAL_ENGINES } from './local-engines.js';
import { RoutingError, type RoutingSpec } from './load-routing.js';
import path from 'node:path';

/** One engine of a chain: a local one runs in this process, a remote one on its backend. */
export type ChainLink =
  | { name: string; kind: 'local'; engine: Engine }
  | { name: string; kind: 'remote'; engine: RemoteEngine; entry: ResolvedEngineEntry; http: UpstreamHttp; breaker: Breaker };

export interface RoutingDeps {
  logger: Logger;
  /** Directory of the routing file, for relative paths in entries. */
  configDir: string;
  now(): number;
  /** Every upstream HTTP call, for metrics. */
  onCall?(call: { engine: string; status: number | 'error'; ms: number }): void;
  onBreaker?(engine: string, state: BreakerState): void;
  /** Handed to every remote engine (see RemoteEngineDeps). */
  callbacks?: EngineCallbacks;
}

/** One remote engine as this process runs it: its breaker and its lane. */
export interface EngineStatus {
  name: string;
  type: string;
  breaker: BreakerSnapshot;
  inFlight: number;
  inFlightLimit: number;
}

export interface ModelListing {
  id: string;
  types: readonly GenerationKind[];
}

/**
 * Which engines serve a model: the routing file's chains, or (emulator mode, unrouted model)
 * preview and layering as without a file. Gateway mode serves routed models only.
 */
export class Routing {
  private readonly links = new Map<string, ChainLink>();
  private readonly remotes: RemoteEngine[] = [];

  constructor(
    private readonly spec: RoutingSpec | null,
    private readonly mode: 'emulator' | 'gateway',
    deps: RoutingDeps,
  ) {
    for (const [name, entry] of spec?.entries ?? []) {
      const factory = REMOTE_ENGINE_TYPES[entry.type];
      if (!factory) {
        this.links.set(name, { name, kind: 'local', engine: LOCAL_ENGINES[entry.type] });
        continue;
      }
      const engine = createEngine(spec!, () => factory.create(entry as never, { logger: deps.logger.child({ engine: name }), configDir: deps.configDir, callbacks: deps.callbacks }));
      const http = createUpstreamHttp({
        engine: name,
        baseUrl: entry.base_url ?? 'http://invalid',
        apiKey: entry.apiKey,
        headers: entry.headers,
        requestTimeoutMs: entry.request_timeout_ms,
        rateLimitGiveUpMs: entry.rate_limit_give_up_ms,
        onCall: deps.onCall,
      });
      const breaker = new Breaker(entry.breaker, deps.now, (state) => deps.onBreaker?.(name, state));
      this.remotes.push(engine);
      this.links.set(name, { name, kind: 'remote', engine, entry, http, breaker });
    }
    if (spec) checkChains(spec, this.links);
  }

  /** The types a model accepts here, or undefined when the model is unknown here. */
  typesOf(model: string): readonly GenerationKind[] | undefined {
    const routed = this.spec?.models.get(model);
    if (routed) return routed.serves;
    if (this.mode === 'gateway') return undefined;
    return (MODELS as readonly string[]).includes(model) ? MODEL_TYPES[model as keyof typeof MODEL_TYPES] : undefined;
  }

  /** Every model a client may use, the spec's first. */
  models(): ModelListing[] {
    const names = [...(this.mode === 'gateway' ? [] : MODELS), ...(this.spec?.models.keys() ?? [])];
    return [...new Set(names)].flatMap((id) => {
      const types = this.typesOf(id);
      return types ? [{ id, types }] : [];
    });
  }

  /** The engines tried, in order, for this model and type (a validated pair). */
  chain(model: string, type: GenerationKind): ChainLink[] {
    const names = this.spec?.models.get(model)?.chains[type];
    if (!names) {
      const name = defaultLocalEngine(type);
      return [{ name, kind: 'local', engine: LOCAL_ENGINES[name] }];
    }
    return names.map((name) => this.links.get(name)!);
  }

  /** The remote engine whose lane runs this pair's jobs; null = local CPU work. */
  lane(model: string, type: GenerationKind): string | null {
    return this.chain(model, type).find((link) => link.kind === 'remote')?.name ?? null;
  }

  /** Micro-dollars held at submit: the routing file's price, else the spec's table. */
  price(request: Pick<GenerationRequest, 'model' | 'type' | 'image_ref' | 'video' | 'layering'>, sourceSeconds?: number): number {
    return this.spec?.models.get(request.model)?.prices[request.type] ?? priceOf(request, sourceSeconds);
  }

  /** The remote engines, as chain links (engine, entry, HTTP client, breaker). */
  remoteLinks(): Extract<ChainLink, { kind: 'remote' }>[] {
    return [...this.links.values()].filter((link): link is Extract<ChainLink, { kind: 'remote' }> => link.kind === 'remote');
  }

  /** Each remote engine's breaker here, with the jobs this process's lane has in flight for it. */
  statuses(inFlight: Record<string, number>): EngineStatus[] {
    return this.remoteLinks().map(({ name, entry, breaker }) => ({ name, type: entry.type, breaker: breaker.snapshot(), inFlight: inFlight[name] ?? 0, inFlightLimit: entry.in_flight }));
  }

  remote(name: string): Extract<ChainLink, { kind: 'remote' }> | undefined {
    const link = this.links.get(name);
    return link?.kind === 'remote' ? link : undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.remoteLinks().map(async (link) => {
      await link.engine.close?.();
      await link.http.close();
    }));
  }
}

/** An engine built from its entry; what it finds wrong (a workflow file, say) stops the start naming the routing file. */
function createEngine(spec: RoutingSpec, create: () => RemoteEngine): RemoteEngine {
  try {
    return create();
  } catch (err) {
    throw new RoutingError(`${path.basename(spec.file)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A remote engine may serve fewer types than its entry allows (a ComfyUI entry serves the types it has workflows for). */
function checkChains(spec: RoutingSpec, links: Map<string, ChainLink>): void {
  for (const [model, route] of spec.models) {
    for (const [type, chain] of Object.entries(route.chains)) {
      for (const name of chain ?? []) {
        const link = links.get(name);
        if (link?.kind === 'remote' && !link.engine.serves.includes(type as GenerationKind)) {
          throw new RoutingError(`${path.basename(spec.file)}: models.${model}: engine '${name}' (${link.engine.type}) doesn't serve type '${type}'`);
        }
      }
    }
  }
}
