import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { LOG_FORMATS, type LogFormat } from './logger.js';
import { parseLatencyProfile, type LatencyProfile } from './emulator/latency-profile.js';
import { faultName, readFault } from './faults/fault.js';
import { DEFAULT_LAYERING_MODEL, SEGMENTATION_MODELS, type SegmentationModel } from './media/segment-model.js';
import { loadRoutingFile, RoutingError, type RoutingSpec } from './engines/routing/load-routing.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Postgres URL; empty means the embedded SQLite store in the data dir. */
  databaseUrl: string;
  /** Requests per minute per client; 0 = unlimited. */
  rpm: number;
  /** Non-terminal generations per client; 0 = unlimited. */
  maxConcurrent: number;
  workers: number;
  /** Port of a worker process's /healthz and /metrics (`atelier worker`). */
  metricsPort: number;
  /** Bearer token /metrics requires; empty = open, as Prometheus expects by default. */
  metricsToken: string;
  /** `host:port` of a separate listener for /metrics (and /healthz); empty = the API port serves them. */
  metricsAddress: string;
  /** How often each process records its heartbeat in the store. */
  heartbeatMs: number;
  /** Signs blob and upload URLs in every process; empty = generated once (data dir on SQLite, the database on Postgres). */
  secret: string;
  apiKeys: string[];
  /** Bearer token of the admin API; empty disables it. */
  adminToken: string;
  /** Balance of each seeded client in USD; null = unlimited. */
  credits: number | null;
  /** Base of minted blob URLs; empty = derived from each request's Host. */
  publicUrl: string;
  bodyLimit: number;
  /** Connection limits: see docs/hardening.md. */
  http: HttpLimits;
  leaseMs: number;
  maxAttempts: number;
  pollIntervalMs: number;
  /** Workers wake on a submit's notification; off = they find jobs by polling only (for the pick-up benchmark). */
  jobNotifications: boolean;
  drainMs: number;
  logLevel: string;
  /** `auto`: pretty on a terminal, JSON lines otherwise. */
  logFormat: LogFormat;
  limits: { maxImageBytes: number; maxPixels: number; maxSide: number; fetchTimeoutMs: number } & VideoLimits;
  /** ffmpeg binary; empty = `ffmpeg` on PATH, then the npm package's. */
  ffmpegPath: string;
  /** ffprobe binary; empty = beside FFMPEG_PATH, on PATH, then the npm package's. */
  ffprobePath: string;
  /** PATH, for finding ffmpeg. */
  searchPath: string;
  /** Video encodes running at once per process. */
  videoConcurrency: number;
  /** Longest an ffmpeg or ffprobe child may run before it is killed. */
  ffmpegTimeoutMs: number;
  /** Which bundled segmentation model the layering engine loads. */
  layeringModel: SegmentationModel;
  moderation: ModerationConfig;
  /** Lets URL inputs use http:// and private addresses: local development only. */
  allowPrivateUrls: boolean;
  /** A PEM file of extra CA certificates trusted when fetching URL inputs; empty = Node's roots only. */
  fetchCaFile: string;
  /** Time between file sweeps (expiry, blob purge, restarting stalled ingest). */
  filesSweepMs: number;
  /** Time between debris sweeps (inputs of submits that never committed, temp files, job scratch); one also runs at start. */
  debrisSweepMs: number;
  /** `emulator` allows the emulator extras below; `gateway` refuses them. */
  mode: 'emulator' | 'gateway';
  latency: LatencyProfile;
  /** Multiplies simulated durations (realistic latency, the stuck timeout); 0.01 makes 30 s take 0.3 s. */
  timeScale: number;
  /** `virtual` stands still until POST /admin/v1/clock/advance moves it. */
  clock: 'system' | 'virtual';
  /** Share of submissions that get a random fault, 0..1; 0 = off. */
  chaos: number;
  chaosSeed: number;
  /** Raw API key → fault, the fixed scenario of that key. */
  keyFaults: Readonly<Record<string, string>>;
  /** Longest wait for a webhook receiver's answer; a 2xx within it counts as delivered. */
  webhookTimeoutMs: number;
  /** Waits between webhook attempts, in ms; the delivery is given up after the last. */
  webhookRetryMs: number[];
  /** How long a rotated webhook secret keeps signing beside the new one (unless the rotation says). */
  webhookSecretGraceMs: number;
  /** The routing file (`--config`), resolved; null = none: preview and layering serve the spec's models. */
  routing: RoutingSpec | null;
  /** Blobs in an S3 bucket; null = files under `<data-dir>/blobs`. */
  s3: S3Config | null;
  /** Turns every extension off (list, cancel, events, webhooks, idempotency, Prefer: wait, extension fields): a pure Luma API. */
  strict: boolean;
}

export const BLOB_URL_MODES = ['presigned', 'proxy'] as const;

export interface S3Config {
  bucket: string;
  /** An S3-compatible service's URL; empty = AWS's endpoint for the region. */
  endpoint: string;
  region: string;
  /** `<endpoint>/<bucket>/<key>` instead of `<bucket>.<endpoint>/<key>`, as most S3-compatible services want. */
  forcePathStyle: boolean;
  /** presigned: output URLs point at the bucket; proxy: at our own signed /v1/blobs, streamed from the bucket. */
  urls: (typeof BLOB_URL_MODES)[number];
}

export interface HttpLimits {
  /** Longest wait for a request's headers, from the first byte of the connection or request. */
  headersTimeoutMs: number;
  /** Longest wait for a whole request, headers and body; a slower upload gets a 408. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection silent this long in either direction is closed; 0 = never. */
  socketTimeoutMs: number;
  /** Open connections one client address may hold; 0 = unlimited. Raise it behind a proxy. */
  maxConnectionsPerAddress: number;
  /** Request body bytes one key may have on their way in at once; 0 = unlimited. */
  maxBodyBytesInFlight: number;
}

export interface VideoLimits {
  maxVideoBytes: number;
  /** Longest source per type (spec §3.8; §14: the newer 18 s for video_edit). */
  maxEditSeconds: number;
  maxReframeSeconds: number;
}

export const MODERATION_MODES = ['off', 'prompt', 'full'] as const;
/** The classes the bundled nsfwjs model scores. */
export const IMAGE_CLASSES = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type ImageClass = (typeof IMAGE_CLASSES)[number];

export interface ModerationConfig {
  /** off: nothing is checked; prompt: prompts only; full: prompts, input images and output images. */
  mode: (typeof MODERATION_MODES)[number];
  /** Terms blocked on top of the library's English dataset. */
  blockTerms: string[];
  /** Terms never flagged, even when the dataset would match inside them. */
  allowTerms: string[];
  /** An image is flagged when any listed class scores at or above its threshold. */
  imageThresholds: Partial<Record<ImageClass, number>>;
}

/** Values given on the command line; each has an env twin. */
export type ConfigFlags = Partial<Record<keyof typeof ENV, string>>;

const ENV = {
  host: 'ATELIER_HOST',
  port: 'ATELIER_PORT',
  dataDir: 'ATELIER_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  rpm: 'ATELIER_RPM',
  maxConcurrent: 'ATELIER_MAX_CONCURRENT',
  workers: 'ATELIER_WORKERS',
  metricsPort: 'ATELIER_METRICS_PORT',
  metricsToken: 'ATELIER_METRICS_TOKEN',
  metricsAddress: 'ATELIER_METRICS_ADDRESS',
  heartbeatMs: 'ATELIER_HEARTBEAT_MS',
  secret: 'ATELIER_SECRET',
  apiKeys: 'ATELIER_API_KEYS',
  adminToken: 'ATELIER_ADMIN_TOKEN',
  credits: 'ATELIER_CREDITS',
  publicUrl: 'ATELIER_PUBLIC_URL',
  bodyLimit: 'ATELIER_BODY_LIMIT',
  headersTimeoutMs: 'ATELIER_HEADERS_TIMEOUT_MS',
  requestTimeoutMs: 'ATELIER_REQUEST_TIMEOUT_MS',
  keepAliveTimeoutMs: 'ATELIER_KEEP_ALIVE_TIMEOUT_MS',
  socketTimeoutMs: 'ATELIER_SOCKET_TIMEOUT_MS',
  maxConnectionsPerAddress: 'ATELIER_MAX_CONNECTIONS_PER_ADDRESS',
  maxBodyBytesInFlight: 'ATELIER_MAX_BODY_BYTES_IN_FLIGHT',
  leaseMs: 'ATELIER_LEASE_MS',
  maxAttempts: 'ATELIER_MAX_ATTEMPTS',
  pollIntervalMs: 'ATELIER_POLL_INTERVAL_MS',
  jobNotifications: 'ATELIER_JOB_NOTIFICATIONS',
  drainMs: 'ATELIER_DRAIN_MS',
  logLevel: 'ATELIER_LOG_LEVEL',
  logFormat: 'ATELIER_LOG_FORMAT',
  ffmpegPath: 'FFMPEG_PATH',
  ffprobePath: 'FFPROBE_PATH',
  videoConcurrency: 'ATELIER_VIDEO_CONCURRENCY',
  ffmpegTimeoutMs: 'ATELIER_FFMPEG_TIMEOUT_MS',
  layeringModel: 'ATELIER_LAYERING_MODEL',
  moderation: 'ATELIER_MODERATION',
  moderationBlockTerms: 'ATELIER_MODERATION_BLOCK_TERMS',
  moderationAllowTerms: 'ATELIER_MODERATION_ALLOW_TERMS',
  moderationImageThresholds: 'ATELIER_MODERATION_IMAGE_THRESHOLDS',
  allowPrivateUrls: 'ATELIER_ALLOW_PRIVATE_URLS',
  fetchCaFile: 'ATELIER_FETCH_CA_FILE',
  filesSweepMs: 'ATELIER_FILES_SWEEP_MS',
  debrisSweepMs: 'ATELIER_DEBRIS_SWEEP_MS',
  mode: 'ATELIER_MODE',
  latency: 'ATELIER_LATENCY',
  timeScale: 'ATELIER_TIME_SCALE',
  clock: 'ATELIER_CLOCK',
  chaos: 'ATELIER_CHAOS',
  chaosSeed: 'ATELIER_CHAOS_SEED',
  keyFaults: 'ATELIER_KEY_FAULTS',
  config: 'ATELIER_CONFIG',
  strict: 'ATELIER_STRICT',
  webhookTimeoutMs: 'ATELIER_WEBHOOK_TIMEOUT_MS',
  webhookRetryMs: 'ATELIER_WEBHOOK_RETRY_MS',
  webhookSecretGraceMs: 'ATELIER_WEBHOOK_SECRET_GRACE_MS',
  s3Bucket: 'ATELIER_S3_BUCKET',
  s3Endpoint: 'ATELIER_S3_ENDPOINT',
  s3Region: 'ATELIER_S3_REGION',
  s3ForcePathStyle: 'ATELIER_S3_FORCE_PATH_STYLE',
  blobUrls: 'ATELIER_BLOB_URLS',
} as const;

export class ConfigError extends Error {}

/** `true` also comes straight from a commander boolean option. */
function flag(name: string, raw: string | boolean | undefined): boolean {
  if (raw === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(String(raw))) return true;
  if (/^(0|false|no|off)$/i.test(String(raw))) return false;
  throw new ConfigError(`${name} must be true or false, got '${raw}'`);
}

function integer(name: string, raw: string, min: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got '${raw}'`);
  return value;
}

const list = (raw: string | undefined): string[] =>
  (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** `Class:threshold` pairs, e.g. `Porn:0.7,Hentai:0.7`. */
function imageThresholds(raw: string): Partial<Record<ImageClass, number>> {
  const thresholds: Partial<Record<ImageClass, number>> = {};
  for (const pair of list(raw)) {
    const [name, value, extra] = pair.split(':').map((part) => part.trim());
    const threshold = Number(value);
    if (!IMAGE_CLASSES.includes(name as ImageClass) || extra !== undefined || value === '' || !(threshold >= 0 && threshold <= 1)) {
      throw new ConfigError(
        `ATELIER_MODERATION_IMAGE_THRESHOLDS entries must be Class:threshold with a class of ${IMAGE_CLASSES.join(', ')} and a threshold in 0..1, got '${pair}'`,
      );
    }
    thresholds[name as ImageClass] = threshold;
  }
  return thresholds;
}

/**
 * The environment with a `.env` file's variables under it (`dir`'s, by default the working
 * directory's): a variable already set wins, so the order is flags > environment > .env > defaults.
 */
export function withDotEnv(env: NodeJS.ProcessEnv = process.env, dir = process.cwd()): NodeJS.ProcessEnv {
  const file = path.join(dir, '.env');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  return { ...parseEnv(text.replace(/^\s*export\s+/gm, '')), ...env };
}

/** flags > env > defaults, read once and frozen. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const get = (key: keyof typeof ENV): string | undefined => {
    const value = flags[key] ?? env[ENV[key]];
    return value === undefined || value === '' ? undefined : value;
  };
  const int = (key: keyof typeof ENV, fallback: number, min = 0) => {
    const raw = get(key);
    return raw === undefined ? fallback : integer(`${key} (${ENV[key]})`, raw, min);
  };
  const apiKeys = (get('apiKeys') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const badKey = apiKeys.find((k) => !k.startsWith('luma-api-'));
  if (badKey !== undefined) throw new ConfigError(`ATELIER_API_KEYS entries must start with 'luma-api-' (got '${badKey.slice(0, 12)}…')`);
  const credits = get('credits');
  if (credits !== undefined && !(Number(credits) >= 0)) throw new ConfigError(`credits must be a number ≥ 0, got '${credits}'`);
  const layeringModel = oneOf('layeringModel (ATELIER_LAYERING_MODEL)', get('layeringModel'), SEGMENTATION_MODELS, DEFAULT_LAYERING_MODEL);
  const moderationMode = oneOf('moderation (ATELIER_MODERATION)', get('moderation'), MODERATION_MODES, 'prompt');

  const emulator = emulatorSettings(get);

  return Object.freeze({
    ...emulator,
    host: get('host') ?? '127.0.0.1',
    port: int('port', 8080),
    dataDir: path.resolve(get('dataDir') ?? 'data'),
    databaseUrl: get('databaseUrl') ?? '',
    rpm: int('rpm', 30),
    maxConcurrent: int('maxConcurrent', 10),
    workers: int('workers', 2),
    metricsPort: int('metricsPort', 9464),
    metricsToken: get('metricsToken') ?? '',
    metricsAddress: listenAddress('metricsAddress (ATELIER_METRICS_ADDRESS)', get('metricsAddress')),
    heartbeatMs: int('heartbeatMs', 5000, 100),
    secret: urlSecret(get('secret')),
    apiKeys,
    adminToken: get('adminToken') ?? '',
    credits: credits === undefined ? null : Number(credits),
    publicUrl: (get('publicUrl') ?? '').replace(/\/+$/, ''),
    bodyLimit: int('bodyLimit', 128 * 1024 * 1024, 1024),
    http: Object.freeze({
      headersTimeoutMs: int('headersTimeoutMs', 15_000, 50),
      requestTimeoutMs: int('requestTimeoutMs', 300_000, 50),
      keepAliveTimeoutMs: int('keepAliveTimeoutMs', 5_000, 50),
      socketTimeoutMs: int('socketTimeoutMs', 120_000),
      maxConnectionsPerAddress: int('maxConnectionsPerAddress', 256),
      maxBodyBytesInFlight: int('maxBodyBytesInFlight', 256 * 1024 * 1024),
    }),
    leaseMs: int('leaseMs', 30_000, 100),
    maxAttempts: int('maxAttempts', 3, 1),
    pollIntervalMs: int('pollIntervalMs', 500, 10),
    jobNotifications: get('jobNotifications') === undefined || flag('jobNotifications (ATELIER_JOB_NOTIFICATIONS)', get('jobNotifications')),
    drainMs: int('drainMs', 20_000),
    logLevel: get('logLevel') ?? 'info',
    logFormat: oneOf('logFormat (ATELIER_LOG_FORMAT)', get('logFormat'), LOG_FORMATS, 'auto'),
    layeringModel,
    limits: Object.freeze({
      maxImageBytes: 50 * 1024 * 1024,
      maxPixels: 64_000_000,
      maxSide: 8000,
      fetchTimeoutMs: 18_000,
      maxVideoBytes: 200 * 1024 * 1024,
      maxEditSeconds: 18,
      maxReframeSeconds: 30,
    }),
    ffmpegPath: get('ffmpegPath') ?? '',
    ffprobePath: get('ffprobePath') ?? '',
    searchPath: env.PATH ?? '',
    videoConcurrency: int('videoConcurrency', 1, 1),
    ffmpegTimeoutMs: int('ffmpegTimeoutMs', 300_000, 1000),
    moderation: Object.freeze({
      mode: moderationMode,
      blockTerms: list(get('moderationBlockTerms')),
      allowTerms: list(get('moderationAllowTerms')),
      imageThresholds: Object.freeze(imageThresholds(get('moderationImageThresholds') ?? 'Porn:0.7,Hentai:0.7')),
    }),
    allowPrivateUrls: flag('allowPrivateUrls (ATELIER_ALLOW_PRIVATE_URLS)', get('allowPrivateUrls')),
    fetchCaFile: get('fetchCaFile') ?? '',
    filesSweepMs: int('filesSweepMs', 60_000, 10),
    routing: routingFile(get('config'), env),
    strict: flag('strict (ATELIER_STRICT)', get('strict')),
    webhookTimeoutMs: int('webhookTimeoutMs', 10_000, 100),
    webhookRetryMs: Object.freeze(retrySchedule(get('webhookRetryMs'))) as number[],
    webhookSecretGraceMs: int('webhookSecretGraceMs', 24 * 60 * 60 * 1000, 0),
    debrisSweepMs: int('debrisSweepMs', 15 * 60_000, 10),
    s3: s3Settings(get, env),
  });
}

const S3_SETTINGS = ['s3Endpoint', 's3Region', 's3ForcePathStyle', 'blobUrls'] as const;

/** The bucket and how to reach it; every other S3 setting needs the bucket. Credentials come from the AWS chain. */
function s3Settings(get: (key: keyof typeof ENV) => string | undefined, env: NodeJS.ProcessEnv): S3Config | null {
  const bucket = get('s3Bucket');
  if (bucket === undefined) {
    const orphans = S3_SETTINGS.filter((key) => get(key) !== undefined).map((key) => ENV[key]);
    if (orphans.length > 0) throw new ConfigError(`${orphans.join(', ')} set without ATELIER_S3_BUCKET (--s3-bucket): name the bucket, or unset them to keep blobs in the data dir`);
    return null;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError(`s3Bucket (ATELIER_S3_BUCKET) must be an S3 bucket name (3-63 of a-z, 0-9, '.', '-'), got '${bucket}'`);
  const endpoint = get('s3Endpoint') ?? '';
  if (endpoint && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError(`s3Endpoint (ATELIER_S3_ENDPOINT) must be an http(s) URL, got '${endpoint}'`);
  return Object.freeze({
    bucket,
    endpoint: endpoint.replace(/\/+$/, ''),
    region: get('s3Region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    forcePathStyle: flag('s3ForcePathStyle (ATELIER_S3_FORCE_PATH_STYLE)', get('s3ForcePathStyle')),
    urls: oneOf('blobUrls (ATELIER_BLOB_URLS)', get('blobUrls'), BLOB_URL_MODES, 'presigned'),
  });
}

function urlSecret(raw: string | undefined): string {
  if (raw !== undefined && raw.length < 32) throw new ConfigError(`ATELIER_SECRET must be at least 32 characters (got ${raw.length}); e.g. openssl rand -hex 32`);
  return raw ?? '';
}

/**
 * Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then a last try
 * 14 h later: about 42 h of retries, past the 24 h the API promises.
 */
const WEBHOOK_RETRY_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 50_400_000];

function retrySchedule(raw: string | undefined): number[] {
  if (raw === undefined) return WEBHOOK_RETRY_MS;
  const waits = list(raw).map((ms) => integer('webhookRetryMs (ATELIER_WEBHOOK_RETRY_MS)', ms, 1));
  if (waits.length === 0) throw new ConfigError('webhookRetryMs (ATELIER_WEBHOOK_RETRY_MS) must list at least one wait in ms');
  return waits;
}

/** --config / ATELIER_CONFIG: read and validated now, so a bad file stops the start with its path and problem. */
function routingFile(file: string | undefined, env: NodeJS.ProcessEnv): RoutingSpec | null {
  if (file === undefined) return null;
  try {
    return loadRoutingFile(path.resolve(file), env);
  } catch (err) {
    if (err instanceof RoutingError) throw new ConfigError(err.message);
    throw err;
  }
}

/** `host:port`, e.g. `127.0.0.1:9464`; a bare port means 127.0.0.1. */
function listenAddress(name: string, raw: string | undefined): string {
  if (raw === undefined) return '';
  const match = /^(?:(.+):)?(\d{1,5})$/.exec(raw);
  if (!match || Number(match[2]) > 65535) throw new ConfigError(`${name} must be host:port, got '${raw}'`);
  return `${match[1] ?? '127.0.0.1'}:${match[2]}`;
}

function oneOf<T extends string>(name: string, raw: string | undefined, values: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got '${raw}'`);
  return raw as T;
}

/** ATELIER_KEY_FAULTS: a JSON object `{"luma-api-…": "<fault>"}`, or the path of a file holding one; kept in canonical form. */
function keyFaults(raw: string | undefined): Record<string, string> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.trimStart().startsWith('{') ? raw : fs.readFileSync(raw, 'utf8'));
  } catch (err) {
    throw new ConfigError(`keyFaults (ATELIER_KEY_FAULTS) must be a JSON object or a file holding one: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError('keyFaults (ATELIER_KEY_FAULTS) must be a JSON object');
  const faults: Record<string, string> = {};
  for (const [key, text] of Object.entries(parsed)) {
    if (!key.startsWith('luma-api-')) throw new ConfigError(`ATELIER_KEY_FAULTS keys must start with 'luma-api-' (got '${key.slice(0, 12)}…')`);
    const fault = keyFault(text);
    if (fault) faults[key] = faultName(fault);
  }
  return Object.freeze(faults);
}

/** An ATELIER_KEY_FAULTS entry, read like any fault text; `none` gives the key no scenario. */
function keyFault(text: unknown) {
  try {
    return readFault(String(text), 'ATELIER_KEY_FAULTS');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** Mode and the emulator extras; gateway mode refuses every extra rather than ignoring it. */
function emulatorSettings(get: (key: keyof typeof ENV) => string | undefined) {
  const mode = oneOf('mode (ATELIER_MODE)', get('mode'), ['emulator', 'gateway'], 'emulator');
  const latencyText = get('latency') ?? 'instant';
  const latency = parseLatencyProfile(latencyText);
  if (!latency) throw new ConfigError(`latency (ATELIER_LATENCY) must be instant, realistic or fixed:<ms>, got '${latencyText}'`);
  const timeScale = Number(get('timeScale') ?? 1);
  if (!(timeScale > 0 && timeScale <= 1000)) throw new ConfigError(`timeScale (ATELIER_TIME_SCALE) must be a number > 0 and ≤ 1000, got '${get('timeScale')}'`);
  const chaos = Number(get('chaos') ?? 0);
  if (!(chaos >= 0 && chaos <= 1)) throw new ConfigError(`chaos (ATELIER_CHAOS) must be a rate between 0 and 1, got '${get('chaos')}'`);
  const seedText = get('chaosSeed');
  const chaosSeed = seedText === undefined ? 1 : integer('chaosSeed (ATELIER_CHAOS_SEED)', seedText, 0);
  const settings = {
    mode,
    latency: Object.freeze(latency),
    timeScale,
    clock: oneOf('clock (ATELIER_CLOCK)', get('clock'), ['system', 'virtual'], 'system'),
    chaos,
    chaosSeed,
    keyFaults: keyFaults(get('keyFaults')),
  };
  if (mode === 'gateway') {
    const extras = [
      latency.kind !== 'instant' && '--latency',
      settings.clock === 'virtual' && '--clock virtual',
      chaos > 0 && '--chaos',
      Object.keys(settings.keyFaults).length > 0 && 'ATELIER_KEY_FAULTS',
    ].filter(Boolean);
    if (extras.length > 0) throw new ConfigError(`${extras.join(', ')}: emulator features are refused in gateway mode (ATELIER_MODE=gateway)`);
  }
  return settings;
}
