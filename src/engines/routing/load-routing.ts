import fs from 'node:fs';
import path from 'node:path';
import { Type, type TProperties } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import { ENGINE_COMMON_FIELDS, ModelRoute, RoutingFile, type EngineEntry, type Secret } from '../../contract/routing-config.js';
import { GENERATION_TYPES, MODEL_TYPES, MODELS, type GenerationKind } from '../../contract/index.js';
import { REMOTE_ENGINE_TYPES } from '../remote/engine-types.js';
import type { ResolvedEngineEntry } from '../remote/remote-engine.js';
import { LOCAL_ENGINES } from './local-engines.js';

export class RoutingError extends Error {}

/** Defaults of the common entry fields. */
export const ENTRY_DEFAULTS = {
  in_flight: 100,
  request_timeout_ms: 30_000,
  job_timeout_ms: 900_000,
  poll_interval_ms: 2000,
  rate_limit_give_up_ms: 120_000,
  max_output_bytes: 500 * 1024 * 1024,
  breaker: { failures: 5, cooldown_ms: 30_000 },
} as const;

export interface RouteSpec {
  /** Types the model accepts. */
  serves: readonly GenerationKind[];
  /** Chain (engine names) per served type. */
  chains: Partial<Record<GenerationKind, readonly string[]>>;
  /** USD micro-dollars per generation by type; absent = the spec's table. */
  prices: Partial<Record<GenerationKind, number>>;
}

export interface RoutingSpec {
  /** The file, for messages. */
  file: string;
  /** Its directory: relative paths in entries resolve against it. */
  dir: string;
  entries: Map<string, ResolvedEngineEntry>;
  models: Map<string, RouteSpec>;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `/engines/luma/in_flight` → `engines.luma.in_flight`; `/x/0` → `x[0]`. */
const dotted = (pointer: string) =>
  pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, part) => (/^\d+$/.test(part) ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');

/** Reads, validates and resolves a routing file; every problem names the file, the path and what is wrong. */
export function loadRoutingFile(file: string, env: NodeJS.ProcessEnv): RoutingSpec {
  const name = path.basename(file);
  const fail = (at: string, problem: string): never => {
    throw new RoutingError(`${name}: ${at ? `${at}: ` : ''}${problem}`);
  };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return fail('', `cannot read the routing file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    return fail('', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return { ...resolveRouting(doc, name, env, fail), dir: path.dirname(file) };
}

function check(schema: Parameters<typeof Value.Errors>[0], value: unknown, at: string, fail: (at: string, problem: string) => never): void {
  const first = Value.Errors(schema, value).First();
  if (!first) return;
  const where = [at, dotted(first.path)].filter(Boolean).join('.');
  const literals = (first.schema.anyOf as Array<{ const?: unknown }> | undefined)?.map((option) => option.const);
  const message =
    literals && literals.every((value) => typeof value === 'string')
      ? `must be one of ${literals.join(', ')}, got ${JSON.stringify(first.value)}`
      : first.schema.anyOf && first.schema.description
        ? `must be ${first.schema.description}`
        : first.message.charAt(0).toLowerCase() + first.message.slice(1);
  const secretHint = /api_key$|headers\.[^.]+$/.test(where) && typeof first.value === 'string' ? ": write { env: NAME }; secrets aren't written in the file" : '';
  fail(where, `${message}${secretHint}`);
}

function resolveRouting(doc: unknown, file: string, env: NodeJS.ProcessEnv, fail: (at: string, problem: string) => never): Omit<RoutingSpec, 'dir'> {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('', 'must be a mapping with `engines` and `models`');
  check(RoutingFile, doc, '', fail);
  const raw = doc as { engines?: Record<string, Record<string, unknown>>; models?: Record<string, unknown> };

  const entries = new Map<string, ResolvedEngineEntry>();
  for (const [name, entry] of Object.entries(raw.engines ?? {})) {
    const at = `engines.${name}`;
    if (!NAME.test(name)) fail(at, 'an engine name is 1–63 of a-z, 0-9, _ and -, starting with a letter or digit');
    entries.set(name, resolveEntry(name, entry, at, env, fail));
  }

  const models = new Map<string, RouteSpec>();
  for (const [model, route] of Object.entries(raw.models ?? {})) {
    const at = `models.${model}`;
    if (!MODEL_NAME.test(model)) fail(at, 'a model name is 1–64 of A-Z, a-z, 0-9, ., _ and -');
    check(ModelRoute, route, at, fail);
    models.set(model, resolveRoute(model, route as ModelRoute, entries, at, fail));
  }
  return { file, entries, models };
}

const engineTypes = () => [...Object.keys(LOCAL_ENGINES), ...Object.keys(REMOTE_ENGINE_TYPES)];

function resolveEntry(name: string, entry: Record<string, unknown>, at: string, env: NodeJS.ProcessEnv, fail: (at: string, problem: string) => never) {
  const type = String(entry.type);
  const local = type in LOCAL_ENGINES;
  const factory = REMOTE_ENGINE_TYPES[type];
  if (!local && !factory) fail(`${at}.type`, `unknown engine type '${type}'; known: ${engineTypes().join(', ')}`);
  const fields: TProperties = { ...ENGINE_COMMON_FIELDS, ...(factory?.fields ?? {}) };
  check(Type.Object(fields, { additionalProperties: false }), entry, at, fail);
  const common = entry as EngineEntry;
  if (factory && !common.base_url && !factory.defaultBaseUrl) fail(`${at}.base_url`, `required for a '${type}' engine`);
  const secret = (value: Secret, where: string): string => {
    const found = env[value.env];
    if (found === undefined || found === '') fail(where, `environment variable ${value.env} is not set`);
    return found!;
  };
  const headers: Record<string, string> = {};
  for (const [header, value] of Object.entries(common.headers ?? {})) headers[header] = typeof value === 'string' ? value : secret(value, `${at}.headers.${header}.env`);
  const { api_key, headers: _headers, breaker, ...rest } = common;
  const serves = factory?.serves ?? (type === 'layering' ? (['layering'] as const) : GENERATION_TYPES.filter((t) => t !== 'layering'));
  const narrowed = rest.serves ?? serves;
  const extra = narrowed.find((t) => !serves.includes(t));
  if (extra) fail(`${at}.serves`, `a '${type}' engine can't serve '${extra}'`);
  return {
    ...ENTRY_DEFAULTS,
    ...(factory?.defaultBaseUrl ? { base_url: factory.defaultBaseUrl } : {}),
    ...rest,
    serves: narrowed,
    name,
    ...(api_key ? { apiKey: secret(api_key, `${at}.api_key.env`) } : {}),
    headers,
    breaker: { ...ENTRY_DEFAULTS.breaker, ...breaker },
  } as ResolvedEngineEntry;
}

function resolveRoute(model: string, route: ModelRoute, entries: Map<string, ResolvedEngineEntry>, at: string, fail: (at: string, problem: string) => never): RouteSpec {
  const known = (MODELS as readonly string[]).includes(model) ? MODEL_TYPES[model as keyof typeof MODEL_TYPES] : undefined;
  const wanted = route.serves ?? known ?? fail(`${at}.serves`, "required for a model the spec doesn't name (e.g. serves: [image])");
  for (const [i, engine] of (route.engines ?? []).entries()) if (!entries.has(engine)) fail(`${at}.engines[${i}]`, `no engine named '${engine}'`);
  const chains: RouteSpec['chains'] = {};
  for (const type of wanted) {
    const byType = route.by_type?.[type];
    if (byType) {
      for (const [i, engine] of byType.entries()) {
        const entry = entries.get(engine);
        if (!entry) return fail(`${at}.by_type.${type}[${i}]`, `no engine named '${engine}'`);
        if (!entry.serves.includes(type)) return fail(`${at}.by_type.${type}[${i}]`, `engine '${engine}' (${entry.type}) doesn't serve type '${type}'`);
      }
      chains[type] = byType;
      continue;
    }
    if (!route.engines) return fail(`${at}.engines`, `no engines for type '${type}'`);
    // The shared chain serves a type with those of its engines that can.
    const chain = route.engines.filter((engine) => entries.get(engine)!.serves.includes(type));
    if (chain.length) chains[type] = chain;
    else if (route.serves) return fail(`${at}.engines`, `no engine of [${route.engines.join(', ')}] serves type '${type}'`);
  }
  // A Luma model keeps the spec's types its engines can serve (uni-1 on an image-only backend: no layering).
  const serves = wanted.filter((type) => chains[type]);
  if (serves.length === 0) fail(`${at}.engines`, `no engine of [${route.engines?.join(', ')}] serves any type of '${model}'`);
  for (const type of Object.keys(route.by_type ?? {})) {
    if (!wanted.includes(type as GenerationKind)) fail(`${at}.by_type.${type}`, `model '${model}' doesn't serve type '${type}'`);
  }
  const prices: RouteSpec['prices'] = {};
  const price = route.price_usd;
  for (const type of serves) {
    const usd = typeof price === 'number' ? price : price?.[type];
    if (usd !== undefined) prices[type] = Math.round(usd * 1_000_000);
    else if (!known) fail(`${at}.price_usd`, `required for a model the spec doesn't name (no price for type '${type}')`);
  }
  return { serves, chains, prices };
}
