import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { classifierPixels } from '../media/image.js';
import { CLASSIFIER_SIDE, type ClassifierReply, type Prediction } from './classifier-protocol.js';

export type { Prediction } from './classifier-protocol.js';

interface Pending {
  resolve(predictions: Prediction[]): void;
  reject(err: Error): void;
}

/**
 * nsfwjs's bundled MobileNetV2 on tfjs's CPU backend, in a worker thread started on the
 * first image and kept for the life of the server, so the model loads once.
 */
export class ImageClassifier {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly logger: Logger) {}

  /** Scores of the five classes (Drawing, Hentai, Neutral, Porn, Sexy), highest first. */
  async classify(bytes: Buffer): Promise<Prediction[]> {
    const pixels = new Uint8Array(await classifierPixels(bytes, CLASSIFIER_SIDE));
    const worker = this.start();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, pixels }, [pixels.buffer]);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./classifier-worker.js', import.meta.url), { stdout: true, stderr: true });
    // The libraries print notices (model in use, backend hints); keep them out of the JSON logs.
    const relay = (chunk: Buffer) => this.logger.debug({ classifier: chunk.toString().trim() }, 'image classifier output');
    worker.stdout.on('data', relay);
    worker.stderr.on('data', relay);
    worker.on('message', (reply: ClassifierReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      if (reply.error !== undefined) pending.reject(new Error(`image classifier: ${reply.error}`));
      else pending.resolve(reply.predictions);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const pending of this.pending.values()) pending.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => {
      this.logger.error({ err }, 'image classifier worker failed');
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`image classifier worker exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
