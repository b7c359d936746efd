import { checkSignature, signBlob, URL_TTL_MS, type SignatureCheck } from '../storage/index.js';

/** Upload signatures sign `upload/<id>`, a name no blob has, so a download URL can't be replayed as an upload. */
const signedName = (fileId: string) => `upload/${fileId}`;

/** `/v1/uploads/<id>?expires=…&signature=…` for a PUT, valid for URL_TTL_MS. */
export function uploadPath(secret: Buffer, fileId: string, now: number): { path: string; expiresAt: number } {
  const expires = Math.floor((now + URL_TTL_MS) / 1000);
  return {
    path: `/v1/uploads/${fileId}?expires=${expires}&signature=${signBlob(secret, signedName(fileId), expires)}`,
    expiresAt: expires * 1000,
  };
}

export function checkUpload(secret: Buffer, fileId: string, expires: string, signature: string, now: number): SignatureCheck {
  return checkSignature(secret, signedName(fileId), expires, signature, now);
}
