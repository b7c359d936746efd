import http from 'node:http';
import sharp from 'sharp';
import { listenLoopback } from './loopback.js';

/** An input the fake model declares, as a Cog model's `Input(...)` would. */
export interface CogInputSpec {
  type: 'string' | 'integer' | 'number';
  required?: boolean;
  choices?: (string | number)[];
}

/** How the fake model runs one prediction. */
export interface CogPlan {
  ms?: number;
  /** The model raises: the prediction fails with this error. */
  error?: string;
  /** `output` as a URL under the fake's upload server instead of a data URL. */
  upload?: boolean;
  /** A data URL whose base64 is cut in half (a truncated PNG). */
  truncated?: boolean;
  /** A data URL that isn't one. */
  malformed?: boolean;
  /** `output: null`. */
  noOutput?: boolean;
  /** The container dies mid-prediction: the connection drops and the prediction is forgotten. */
  lose?: boolean;
  /** Every answer is this status (503 while setup runs, 500 …). */
  status?: number;
}

export interface FakeCog {
  url: string;
  /** Every prediction created: id and input (after unknown keys are stripped, as Cog does). */
  created: { id: string; input: Record<string, unknown> }[];
  /** Every request to /predictions*, in order. */
  requests: { method: string; path: string; prefer?: string; body: unknown }[];
  cancelled: string[];
  /** Every webhook post tried: event, status answered (0 when the connection failed). */
  webhooks: { event: string; status: number }[];
  plan: (input: Record<string, unknown>) => CogPlan;
  close(): Promise<void>;
}

type Running = { id: string; input: Record<string, unknown>; status: string; output?: unknown; error?: string; logs: string; done: Promise<void>; cancel(): void };

/**
 * A loopback Cog container with coglet's HTTP semantics: `POST /predictions` and idempotent
 * `PUT /predictions/{id}` (synchronous, or `Prefer: respond-async` → 202 `{id, status:
 * "starting"}`); a PUT for an id still running answers its snapshot with a 202; a prediction
 * is forgotten once it ends; `slots` at once, then 409 "At capacity"; input validated against
 * the declared inputs (422 with pydantic-style `detail`), unknown keys stripped; a synchronous
 * request whose client disconnects cancels its prediction; files out as data URLs (or URLs
 * with an upload server); `/health-check`, and cancel.
 */
export async function fakeCog(options: { inputs: Record<string, CogInputSpec>; slots?: number }): Promise<FakeCog> {
  const running = new Map<string, Running>();
  const uploads = new Map<string, Buffer>();
  const fake: FakeCog = { url: '', created: [], requests: [], cancelled: [], webhooks: [], plan: () => ({}), close: async () => undefined };
  const slots = options.slots ?? 1;
  let closed = false;

  const snapshot = (p: Running) => ({ id: p.id, status: p.status, logs: p.logs, input: p.input, metrics: {}, ...(p.output !== undefined && { output: p.output }), ...(p.error && { error: p.error }) });

  function validate(input: Record<string, unknown>): { detail: unknown[] } | null {
    const detail: unknown[] = [];
    for (const [name, spec] of Object.entries(options.inputs)) {
      const value = input[name];
      if (value === undefined) {
        if (spec.required) detail.push({ loc: ['body', 'input', name], msg: 'Field required', type: 'missing' });
        continue;
      }
      const ok = spec.type === 'string' ? typeof value === 'string' : spec.type === 'integer' ? Number.isInteger(value) : typeof value === 'number';
      if (!ok) detail.push({ loc: ['body', 'input', name], msg: `Input should be a valid ${spec.type}`, type: `${spec.type}_type` });
      else if (spec.choices && !spec.choices.includes(value as string | number)) {
        detail.push({ loc: ['body', 'input', name], msg: `Input should be ${spec.choices.map((c) => `'${c}'`).join(' or ')}`, type: 'enum' });
      }
    }
    return detail.length ? { detail } : null;
  }

  async function render(p: Running, plan: CogPlan): Promise<void> {
    const input = p.input;
    const [w, h] = input.aspect_ratio === '16:9' ? [1344, 768] : [Number(input.width ?? 512), Number(input.height ?? 512)];
    let png = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
    if (typeof input.image === 'string' && input.image.startsWith('data:')) {
      const source = Buffer.from(input.image.split(',')[1], 'base64');
      png = await sharp(source).png().toBuffer(); // an "edit" keeps the source's size
    }
    if (plan.noOutput) p.output = null;
    else if (plan.malformed) p.output = ['data:image/png;base64'];
    else if (plan.upload) {
      uploads.set(`${p.id}.png`, png);
      p.output = [`${fake.url}/upload/${p.id}.png`];
    } else p.output = [`data:image/png;base64,${(plan.truncated ? png.subarray(0, png.length >> 1) : png).toString('base64')}`];
  }

  /** coglet's webhook sender: `start` and `logs` once, fire and forget; `completed` retried on 429/5xx or a lost connection (100 ms × 2^n, 12 times). */
  async function post(webhook: { url: string; events: string[] } | undefined, event: string, p: Running): Promise<void> {
    if (!webhook || !webhook.events.includes(event)) return;
    const body = JSON.stringify({ ...snapshot(p), input: undefined });
    for (let attempt = 0; attempt <= (event === 'completed' ? 12 : 0) && !closed; attempt++) {
      let status = 0;
      try {
        const res = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      fake.webhooks.push({ event, status });
      if (status >= 200 && status < 300) return;
      if (status !== 0 && ![429, 500, 502, 503, 504].includes(status)) return;
      await new Promise((r) => setTimeout(r, 100 * 2 ** Math.min(attempt + 1, 10)));
    }
  }

  function start(id: string, input: Record<string, unknown>, webhook?: { url: string; events: string[] }): Running {
    const plan = fake.plan(input);
    let cancel!: () => void;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    const p: Running = { id, input, status: 'starting', logs: '', done: Promise.resolve(), cancel };
    running.set(id, p);
    fake.created.push({ id, input });
    p.done = (async () => {
      p.status = 'processing';
      await post(webhook, 'start', p);
      p.logs = ' 50%|█████     | 2/4 [00:00<00:00]\n';
      await post(webhook, 'logs', p);
      const finished = await Promise.race([new Promise((r) => setTimeout(() => r('done'), plan.ms ?? 20)), cancelled.then(() => 'cancelled')]);
      if (finished === 'cancelled') {
        p.status = 'canceled';
        fake.cancelled.push(id);
      } else if (plan.error) {
        p.status = 'failed';
        p.error = plan.error;
      } else {
        await render(p, plan);
        p.status = 'succeeded';
      }
      running.delete(id); // Cog forgets a prediction once it has ended
      if (!plan.lose) await post(webhook, 'completed', p);
    })();
    return p;
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const json = (status: number, value: unknown) => !res.destroyed && res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));

    if (req.method === 'GET' && url.pathname === '/health-check') return json(200, { status: running.size >= slots ? 'BUSY' : 'READY', setup: { status: 'succeeded' } });
    if (req.method === 'GET' && url.pathname.startsWith('/upload/')) {
      const file = uploads.get(url.pathname.slice('/upload/'.length));
      return void (file ? res.writeHead(200, { 'content-type': 'image/png' }).end(file) : res.writeHead(404).end());
    }
    const cancel = /^\/predictions\/([^/]+)\/cancel$/.exec(url.pathname);
    if (req.method === 'POST' && cancel) {
      const p = running.get(decodeURIComponent(cancel[1]));
      p?.cancel();
      return json(p ? 200 : 404, {});
    }
    const put = /^\/predictions\/([^/]+)$/.exec(url.pathname);
    if (!((req.method === 'POST' && url.pathname === '/predictions') || (req.method === 'PUT' && put))) return void res.writeHead(404).end();

    let body: { id?: string; input?: Record<string, unknown>; webhook?: string; webhook_events_filter?: string[] };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return json(422, { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] });
    }
    const prefer = req.headers.prefer as string | undefined;
    fake.requests.push({ method: req.method!, path: url.pathname, prefer, body });
    const id = put ? decodeURIComponent(put[1]) : (body.id ?? `pred_${Date.now().toString(16)}`);
    if (put && body.id && body.id !== id) return json(422, { detail: [{ loc: ['body', 'id'], msg: 'prediction ID must match the ID supplied in the URL', type: 'value_error' }] });

    const forced = fake.plan(body.input ?? {}).status;
    if (forced) return json(forced, { error: forced === 503 ? 'Setup has not finished yet' : 'Internal Server Error', status: 'failed' });

    const existing = running.get(id);
    if (put && existing) return json(202, snapshot(existing));
    if (running.size >= slots) return json(409, { error: 'At capacity - all prediction slots busy', status: 'failed' });
    const input = Object.fromEntries(Object.entries(body.input ?? {}).filter(([k]) => k in options.inputs)); // unknown inputs are stripped
    const invalid = validate(input);
    if (invalid) return json(422, invalid);

    const webhook = body.webhook ? { url: body.webhook, events: body.webhook_events_filter ?? ['start', 'output', 'logs', 'completed'] } : undefined;
    const p = start(id, input, webhook);
    if (prefer === 'respond-async') return json(202, { id, status: 'starting' });
    if (fake.plan(input).lose) {
      await new Promise((r) => setTimeout(r, 30));
      running.delete(id);
      return void res.socket?.destroy();
    }
    // A synchronous client that goes away cancels its prediction (coglet's SyncPredictionGuard).
    res.on('close', () => !res.writableFinished && p.cancel());
    await p.done;
    json(200, { id, status: p.status, output: p.output ?? null, logs: p.logs, metrics: { predict_time: 0.02 }, ...(p.error && { error: p.error }) });
  });
  const listening = await listenLoopback(server, () => {
    closed = true;
    running.forEach((p) => p.cancel());
  });
  fake.url = listening.url;
  fake.close = listening.close;
  return fake;
}
