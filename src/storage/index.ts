export { LocalBlobStore, isBlobKey, type BlobStore, type StoredBlob } from './local-blob-store.js';
export { blobPath, checkSignature, URL_TTL_MS } from './signed-url.js';
export { loadSecret } from './secret.js';
