export { BlobTooLarge, isBlobKey, mediaTypeOf, type BlobStore, type StoredBlob } from './blob-store.js';
export { LocalBlobStore } from './local-blob-store.js';
export { BlobStoreUnreachable, openBlobStore } from './open-blob-store.js';
export { blobUrls, presignedBlobUrls, signedBlobUrls, type BlobUrls } from './blob-urls.js';
export { blobPath, checkSignature, signBlob, URL_TTL_MS, type SignatureCheck } from './signed-url.js';
export { loadSecret, loadSharedSecret, SECRET_SETTING } from './secret.js';
