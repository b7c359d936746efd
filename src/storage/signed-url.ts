import { createHmac, timingSafeEqual } from 'node:crypto';

export const URL_TTL_MS = 60 * 60 * 1000;

export function signBlob(secret: Buffer, key: string, expires: number): string {
  return createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
}

export type SignatureCheck = 'ok' | 'expired' | 'invalid';

/** `expires` is unix seconds. A tampered key, expiry or signature is 'invalid'. */
export function checkSignature(secret: Buffer, key: string, expires: string, signature: string, now: number): SignatureCheck {
  if (!/^\d{1,12}$/.test(expires)) return 'invalid';
  const expected = Buffer.from(signBlob(secret, key, Number(expires)));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(expires) * 1000 <= now ? 'expired' : 'ok';
}

/** `/v1/blobs/<key>?expires=…&signature=…`, valid for URL_TTL_MS. */
export function blobPath(secret: Buffer, key: string, now: number): string {
  const expires = Math.floor((now + URL_TTL_MS) / 1000);
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  return `/v1/blobs/${encodedKey}?expires=${expires}&signature=${signBlob(secret, key, expires)}`;
}
