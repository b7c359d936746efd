import { randomUUID } from 'node:crypto';
import http from 'node:http';
import sharp from 'sharp';
import { listenLoopback } from './loopback.js';
import { WebSocketServer, type WebSocket } from 'ws';

type Node = { class_type: string; inputs: Record<string, unknown> };
type Prompt = Record<string, Node>;

/** How the fake runs one queued prompt. */
export interface ComfyPlan {
  /** Pause per sampler step, ms. */
  stepMs?: number;
  /** A node raises: the prompt ends with `execution_error`. */
  error?: string;
  /** The prompt vanishes from the queue and never reaches history (a restarted ComfyUI). */
  lose?: boolean;
  /** Every socket is closed when the sampler is half way. */
  dropSocket?: boolean;
  /** /view sends half of each output file. */
  truncateOutputs?: boolean;
  /** History lists no outputs. */
  noOutputs?: boolean;
  /** Once queued, /history answers this prompt with a body cut off mid-JSON. */
  malformedHistory?: boolean;
}

export interface FakeComfyUi {
  url: string;
  uploads: Map<string, Buffer>;
  /** Every accepted POST /prompt body. */
  prompts: { prompt: Prompt; prompt_id: string; client_id?: string }[];
  /** Answers to POST /prompt, by index; unset → accept. */
  promptAnswer: (index: number) => { status: number; headers?: Record<string, string>; body?: unknown } | undefined;
  plan: (promptId: string) => ComfyPlan;
  /** Messages sent on the sockets, for assertions. */
  sent: { type: string; data: Record<string, unknown> }[];
  socketsOpened: number;
  /** Ids taken off the queue by POST /queue {delete}. */
  deleted: string[];
  /** `interrupt:<prompt id>` per POST /interrupt that stopped a running prompt. */
  cancelled: string[];
  /** Resolves when the queue is empty. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A loopback ComfyUI: `/upload/image`, `POST /prompt` (with a client-chosen `prompt_id`, and
 * validation of node inputs and LoadImage files), `/queue`, `/history/{id}`, `/view` and the
 * `/ws` socket with `status`, `execution_start`, `execution_cached`, `executing`, `progress`,
 * `executed`, `execution_success`/`execution_error` and binary preview frames, as
 * ComfyUI's server.py and execution.py send them. Prompts run one at a time, in order.
 *
 * Output nodes: SaveImage writes a PNG the size of the EmptyLatentImage (or the LoadImage
 * it was given); SaveVideo/VHS_VideoCombine write `video` bytes the test provides.
 */
export async function fakeComfyUi(options: { video?: Buffer; /** An older ComfyUI: it ignores a supplied prompt_id. */ legacy?: boolean } = {}): Promise<FakeComfyUi> {
  const outputs = new Map<string, Buffer>();
  const history = new Map<string, unknown>();
  const queue: { number: number; id: string; prompt: Prompt; clientId?: string }[] = [];
  let running: (typeof queue)[number] | null = null;
  let number = 0;
  let interrupted: string | null = null;
  const clients = new Map<string, WebSocket>();
  let idleWaiters: (() => void)[] = [];

  const fake: FakeComfyUi = {
    url: '',
    uploads: new Map(),
    prompts: [],
    promptAnswer: () => undefined,
    plan: () => ({}),
    sent: [],
    socketsOpened: 0,
    deleted: [],
    cancelled: [],
    idle: () => (running || queue.length ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    close: async () => undefined,
  };

  const broadcast = (type: string, data: Record<string, unknown>) => {
    fake.sent.push({ type, data });
    for (const ws of clients.values()) ws.send(JSON.stringify({ type, data }));
  };
  /** As execution.py does: a prompt's own messages go only to the socket of its `client_id`. */
  const tell = (clientId: string | undefined, type: string, data: Record<string, unknown>) => {
    fake.sent.push({ type, data });
    const ws = clientId ? clients.get(clientId) : undefined;
    ws?.send(JSON.stringify({ type, data }));
  };
  const queueInfo = () => ({ exec_info: { queue_remaining: queue.length + (running ? 1 : 0) } });

  async function execute(job: (typeof queue)[number]): Promise<void> {
    const plan = fake.plan(job.id);
    const { prompt, id } = job;
    broadcast('status', { status: queueInfo() });
    const to = job.clientId;
    tell(to, 'execution_start', { prompt_id: id, timestamp: Date.now() });
    const loaders = Object.entries(prompt).filter(([, n]) => n.class_type.startsWith('CheckpointLoader'));
    tell(to, 'execution_cached', { nodes: loaders.map(([k]) => k), prompt_id: id, timestamp: Date.now() });
    const saved: Record<string, Record<string, unknown>> = {};
    const messages: [string, Record<string, unknown>][] = [['execution_start', { prompt_id: id }]];
    for (const [nodeId, node] of Object.entries(prompt)) {
      if (loaders.some(([k]) => k === nodeId)) continue;
      if (plan.lose && node.class_type === 'KSampler') {
        queue.length = 0;
        return; // ComfyUI restarted: the prompt is simply gone
      }
      tell(to, 'executing', { node: nodeId, display_node: nodeId, prompt_id: id });
      if (plan.error && node.class_type === 'KSampler') {
        const error = { prompt_id: id, node_id: nodeId, node_type: node.class_type, executed: [], exception_message: plan.error, exception_type: 'RuntimeError', traceback: [] };
        tell(to, 'execution_error', error);
        messages.push(['execution_error', error]);
        history.set(id, { prompt: [job.number, id, prompt, {}, []], outputs: {}, status: { status_str: 'error', completed: false, messages } });
        return;
      }
      if (node.class_type === 'KSampler') {
        const steps = Number(node.inputs.steps ?? 4);
        for (let value = 1; value <= steps; value++) {
          await new Promise((r) => setTimeout(r, plan.stepMs ?? 5));
          if (interrupted === id) {
            const data = { prompt_id: id, node_id: nodeId, node_type: node.class_type, executed: [] };
            tell(to, 'execution_interrupted', data);
            messages.push(['execution_interrupted', data]);
            history.set(id, { prompt: [job.number, id, prompt, {}, []], outputs: {}, status: { status_str: 'error', completed: false, messages } });
            return;
          }
          tell(to, 'progress', { value, max: steps, prompt_id: id, node: nodeId });
          if (to) clients.get(to)?.send(Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('preview')]));
          if (plan.dropSocket && value === Math.ceil(steps / 2)) for (const ws of clients.values()) ws.terminate();
        }
      }
      const output = await renderOutput(prompt, node, id, nodeId, plan);
      if (output) {
        saved[nodeId] = output;
        tell(to, 'executed', { node: nodeId, display_node: nodeId, output, prompt_id: id });
      }
    }
    tell(to, 'executing', { node: null, prompt_id: id });
    tell(to, 'execution_success', { prompt_id: id, timestamp: Date.now() });
    messages.push(['execution_success', { prompt_id: id }]);
    history.set(id, { prompt: [job.number, id, prompt, {}, Object.keys(saved)], outputs: plan.noOutputs ? {} : saved, status: { status_str: 'success', completed: true, messages }, meta: {} });
  }

  async function renderOutput(prompt: Prompt, node: Node, id: string, nodeId: string, plan: ComfyPlan): Promise<Record<string, unknown> | null> {
    const store = (name: string, bytes: Buffer) => outputs.set(name, plan.truncateOutputs ? bytes.subarray(0, bytes.length >> 1) : bytes);
    if (node.class_type === 'SaveImage') {
      const latent = Object.values(prompt).find((n) => n.class_type === 'EmptyLatentImage');
      const loaded = Object.values(prompt).find((n) => n.class_type === 'LoadImage');
      let [width, height] = [Number(latent?.inputs.width ?? 512), Number(latent?.inputs.height ?? 512)];
      if (!latent && loaded) {
        const meta = await sharp(fake.uploads.get(String(loaded.inputs.image))!).metadata();
        [width, height] = [meta.width!, meta.height!];
      }
      const name = `${node.inputs.filename_prefix ?? 'ComfyUI'}_${id.slice(0, 8)}_00001_.png`;
      store(name, await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 80 } } }).png().toBuffer());
      return { images: [{ filename: name, subfolder: '', type: 'output' }] };
    }
    if (node.class_type === 'SaveVideo' || node.class_type === 'VHS_VideoCombine') {
      const name = `video_${id.slice(0, 8)}_00001.mp4`;
      store(name, options.video ?? Buffer.alloc(0));
      // VideoHelperSuite lists its files under `gifs`; core SaveVideo under `images` with `animated`.
      return node.class_type === 'SaveVideo'
        ? { images: [{ filename: name, subfolder: '', type: 'output' }], animated: [true] }
        : { gifs: [{ filename: name, subfolder: '', type: 'output', format: 'video/h264-mp4' }] };
    }
    if (node.class_type === 'PreviewImage') return { images: [{ filename: `preview_${nodeId}.png`, subfolder: '', type: 'temp' }] };
    return null;
  }

  async function pump(): Promise<void> {
    if (running) return;
    while (queue.length > 0) {
      running = queue.shift()!;
      try {
        await execute(running);
      } finally {
        running = null;
      }
      broadcast('status', { status: queueInfo() });
    }
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  }

  function validate(prompt: Prompt): { error: unknown; node_errors: unknown } | null {
    if (!prompt || typeof prompt !== 'object') return { error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: '', extra_info: {} }, node_errors: {} };
    const nodeErrors: Record<string, unknown> = {};
    for (const [id, node] of Object.entries(prompt)) {
      if (typeof node?.class_type !== 'string') return { error: { type: 'invalid_prompt', message: `Cannot execute because node ${id} is missing the class_type property.`, details: `Node ID '#${id}'`, extra_info: {} }, node_errors: {} };
      for (const [key, value] of Object.entries(node.inputs ?? {})) {
        if (typeof value === 'string' && value.includes('{{')) nodeErrors[id] = { errors: [{ type: 'value_not_valid', message: 'Value not in list', details: `${key}: '${value}' not in list`, extra_info: {} }], class_type: node.class_type };
      }
      if (node.class_type === 'LoadImage' && !fake.uploads.has(String(node.inputs.image))) {
        nodeErrors[id] = { errors: [{ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `image - Invalid image file: ${node.inputs.image}`, extra_info: {} }], class_type: 'LoadImage' };
      }
    }
    return Object.keys(nodeErrors).length ? { error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} }, node_errors: nodeErrors } : null;
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    const path = url.pathname.replace(/^\/api(?=\/)/, '');

    if (req.method === 'POST' && path === '/upload/image') {
      const form = await new Request('http://fake', { method: 'POST', headers: req.headers as Record<string, string>, body }).formData();
      const image = form.get('image');
      if (!image || typeof image === 'string' || !image.name) return void res.writeHead(400).end();
      const subfolder = String(form.get('subfolder') ?? '');
      const name = image.name;
      fake.uploads.set(subfolder ? `${subfolder}/${name}` : name, Buffer.from(await image.arrayBuffer()));
      return json(200, { name, subfolder, type: String(form.get('type') ?? 'input') });
    }
    if (req.method === 'POST' && path === '/prompt') {
      const answer = fake.promptAnswer(fake.prompts.length);
      let data: { prompt?: Prompt; prompt_id?: string; client_id?: string };
      try {
        data = JSON.parse(body.toString('utf8'));
      } catch {
        return void res.writeHead(500).end('JSONDecodeError');
      }
      if (answer) return json(answer.status, answer.body ?? {}, answer.headers);
      if (!data.prompt) return json(400, { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
      const invalid = validate(data.prompt);
      if (invalid) return json(400, invalid);
      const id = String((!options.legacy && data.prompt_id) || randomUUID());
      fake.prompts.push({ prompt: data.prompt, prompt_id: id, client_id: data.client_id });
      queue.push({ number: number++, id, prompt: data.prompt, clientId: data.client_id });
      void pump();
      return json(200, { prompt_id: id, number: number - 1, node_errors: {} });
    }
    if (req.method === 'GET' && path === '/queue') {
      const row = (j: (typeof queue)[number]) => [j.number, j.id, j.prompt, {}, []];
      return json(200, { queue_running: running ? [row(running)] : [], queue_pending: queue.map(row) });
    }
    if (req.method === 'POST' && path === '/queue') {
      const { delete: ids = [] } = JSON.parse(body.toString('utf8') || '{}') as { delete?: string[] };
      for (const id of ids) {
        const at = queue.findIndex((j) => j.id === id);
        if (at >= 0) queue.splice(at, 1);
        fake.deleted.push(id);
      }
      return void res.writeHead(200).end();
    }
    if (req.method === 'POST' && path === '/interrupt') {
      // Newer ComfyUI interrupts only the named prompt, and only if it is the one running.
      const { prompt_id: target } = JSON.parse(body.toString('utf8') || '{}') as { prompt_id?: string };
      if (running && (!target || target === running.id)) {
        interrupted = running.id;
        fake.cancelled.push(`interrupt:${running.id}`);
      }
      return void res.writeHead(200).end();
    }
    if (req.method === 'GET' && path.startsWith('/history/')) {
      const id = decodeURIComponent(path.slice('/history/'.length));
      if (fake.plan(id).malformedHistory && fake.prompts.some((p) => p.prompt_id === id)) return void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"${id}": {"outputs": {"9": {"ima`);
      return json(200, history.has(id) ? { [id]: history.get(id) } : {});
    }
    if (req.method === 'GET' && path === '/view') {
      const name = url.searchParams.get('filename') ?? '';
      const file = outputs.get(name);
      if (!file || (url.searchParams.get('type') ?? 'output') !== 'output') return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': name.endsWith('.mp4') ? 'video/mp4' : 'image/png', 'content-disposition': `filename="${name}"` }).end(file);
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url!, 'http://fake');
    if (url.pathname.replace(/^\/api(?=\/)/, '') !== '/ws') return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      fake.socketsOpened++;
      const sid = url.searchParams.get('clientId') || randomUUID().replace(/-/g, '');
      clients.set(sid, ws);
      ws.on('close', () => clients.get(sid) === ws && clients.delete(sid));
      ws.send(JSON.stringify({ type: 'status', data: { status: queueInfo(), sid } }));
    });
  });
  const listening = await listenLoopback(server, () => {
    for (const ws of clients.values()) ws.terminate();
    wss.close();
  });
  fake.url = listening.url;
  fake.close = listening.close;
  return fake;
}
