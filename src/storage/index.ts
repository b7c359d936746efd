export { BlobTooLarge, LocalBlobStore, isBlobKey, type BlobStore, type StoredBlob } from './local-blob-store.js';
export { blobPath, checkSignature, signBlob, URL_TTL_MS, type SignatureCheck } from './signed-url.js';
export { loadSecret, loadSharedSecret, SECRET_SETTING } from './secret.js';
