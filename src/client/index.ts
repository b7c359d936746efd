import { download } from './download.js';
import { Files } from './files.js';
import { Generations } from './generations.js';
import { Transport, type ClientOptions } from './transport.js';

export * from './errors.js';
export { download } from './download.js';
export { isTerminal, type WaitOptions } from './generations.js';
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

  constructor(options: ClientOptions = {}) {
    const transport = new Transport(options);
    this.baseURL = transport.baseURL;
    this.generations = new Generations(transport);
    this.files = new Files(transport);
  }

  download = download;
}

export default Atelier;
