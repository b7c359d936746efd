import { download } from './download.js';
import { verifyWebhook } from './webhooks.js';
import { streamClientEvents, type ClientEvent, type StreamOptions } from './stream.js';
import { Files } from './files.js';
import { Generations } from './generations.js';
import { Transport, type ClientOptions } from './transport.js';

export * from './errors.js';
export { download } from './download.js';
export { isTerminal, type WaitOptions, type CreateOptions, type GenerationList, type GenerationListOptions } from './generations.js';
export type { ClientEvent, GenerationEvent, StreamOptions } from './stream.js';
export { verifyWebhook, WebhookVerificationError, type WebhookEvent } from './webhooks.js';
export type { ListOptions, UploadOptions } from './files.js';
export type * from './types.js';
export { DEFAULT_BASE_URL, type ClientOptions, type RequestOptions } from './transport.js';

/**
 * The Atelier SDK. Reads LUMA_AGENTS_API_KEY, LUMA_BASE_URL and LUMA_CUSTOM_HEADERS like the
 * official clients, so it also works against the real Luma Agents API.
 */
export class Atelier {
  readonly generations: Generations;
  readonly files: Files;
  readonly baseURL: string;

  private readonly transport: Transport;

  constructor(options: ClientOptions = {}) {
    const transport = new Transport(options);
    this.transport = transport;
    this.baseURL = transport.baseURL;
    this.generations = new Generations(transport);
    this.files = new Files(transport);
  }

  download = download;

  /** Every change of the client's generations and files as it happens (Atelier extension: Server-Sent Events of GET /v1/events). */
  events(options: Omit<StreamOptions, 'pollInterval'> = {}): AsyncGenerator<ClientEvent> {
    return streamClientEvents(this.transport, options);
  }
  verifyWebhook = verifyWebhook;
}

export default Atelier;
