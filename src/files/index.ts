export { FileIngestor } from './ingest.js';
export { FileSweeper } from './sweeper.js';
export { resolveFileRef } from './refs.js';
export { fileKind, type FileKind } from './kinds.js';
export { checkUpload } from './upload-url.js';
export * as fileService from './service.js';
export type { FileDeps, FileFields } from './service.js';
