import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, test } from 'node:test';
import { presignedBlobUrls } from '../../src/storage/index.js';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { S3RVER_CREDENTIALS } from '../helpers/s3rver.js';

/**
 * What S3 does with a presigned request (SigV4, query-string auth), written from AWS's
 * specification, because s3rver checks neither signatures nor expiry.
 */
function verify(method: string, url: string, headers: Record<string, string>, secret: string, now: number): 'ok' | 'expired' | 'invalid' {
  const parsed = new URL(url);
  const q = parsed.searchParams;
  const [, date, region, service] = (q.get('X-Amz-Credential') ?? '').split('/');
  const stamp = q.get('X-Amz-Date') ?? '';
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...q.entries()]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .sort()
    .join('&');
  const signed = (q.get('X-Amz-SignedHeaders') ?? '').split(';');
  const all: Record<string, string> = { host: parsed.host, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
  const canonical = [method, parsed.pathname, query, signed.map((h) => `${h}:${(all[h] ?? '').trim()}\n`).join(''), signed.join(';'), 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', stamp, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const key = [date, region, service, 'aws4_request'].reduce<Buffer | string>((k, part) => hmac(k, part), `AWS4${secret}`);
  if (createHmac('sha256', key).update(toSign).digest('hex') !== q.get('X-Amz-Signature')) return 'invalid';
  const signedAt = Date.UTC(+stamp.slice(0, 4), +stamp.slice(4, 6) - 1, +stamp.slice(6, 8), +stamp.slice(9, 11), +stamp.slice(11, 13), +stamp.slice(13, 15));
  return now > signedAt + Number(q.get('X-Amz-Expires')) * 1000 ? 'expired' : 'ok';
}

Object.assign(process.env, S3RVER_CREDENTIALS);
const SECRET = S3RVER_CREDENTIALS.AWS_SECRET_ACCESS_KEY;
// Presigning needs no connection: nothing listens on this endpoint.
const store = new S3BlobStore({ bucket: 'media', endpoint: 'http://127.0.0.1:9', region: 'eu-west-3', forcePathStyle: true, urls: 'presigned' });
const urls = presignedBlobUrls(store);
after(() => store.close());

test('a download URL is valid for exactly an hour of real time, whatever the server clock says', async () => {
  const virtualNow = Date.now() + 7 * 24 * 3600_000;
  const url = await urls.download('generations/abc/output-0.png', 'http://ignored', virtualNow);
  const minted = Date.now();
  const q = new URL(url).searchParams;
  assert.equal(q.get('X-Amz-Expires'), '3600');
  assert.match(q.get('X-Amz-Credential')!, /^S3RVER\/\d{8}\/eu-west-3\/s3\/aws4_request$/);
  assert.equal(q.get('X-Amz-SignedHeaders'), 'host');
  assert.equal(verify('GET', url, {}, SECRET, minted), 'ok');
  assert.equal(verify('GET', url, {}, SECRET, minted + 3590_000), 'ok');
  assert.equal(verify('GET', url, {}, SECRET, minted + 3601_000), 'expired');
});

test('a download URL with another key, a longer expiry, another method or another secret no longer matches', async () => {
  const url = await urls.download('generations/abc/output-0.png', '', Date.now());
  const now = Date.now();
  assert.equal(verify('GET', url.replace('output-0', 'output-1'), {}, SECRET, now), 'invalid');
  assert.equal(verify('GET', url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200'), {}, SECRET, now), 'invalid');
  assert.equal(verify('PUT', url, {}, SECRET, now), 'invalid');
  assert.equal(verify('GET', url, {}, 'another-secret', now), 'invalid');
  const signature = new URL(url).searchParams.get('X-Amz-Signature')!;
  assert.equal(verify('GET', url.replace(signature, signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))), {}, SECRET, now), 'invalid');
});

test('an upload URL takes only a PUT of the declared type and length, for an hour', async () => {
  const url = await urls.upload!('files/f1/upload', 'video/mp4', 1234);
  const now = Date.now();
  const headers = { 'content-type': 'video/mp4', 'content-length': '1234' };
  assert.equal(new URL(url).searchParams.get('X-Amz-Expires'), '3600');
  assert.equal(verify('PUT', url, headers, SECRET, now), 'ok');
  assert.equal(verify('PUT', url, { ...headers, 'content-length': '99999' }, SECRET, now), 'invalid');
  assert.equal(verify('PUT', url, { ...headers, 'content-type': 'text/html' }, SECRET, now), 'invalid');
  assert.equal(verify('PUT', url.replace('files/f1', 'files/f2'), headers, SECRET, now), 'invalid');
  assert.equal(verify('PUT', url, headers, SECRET, now + 3601_000), 'expired');
});
