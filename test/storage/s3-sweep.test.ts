import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { listenLoopback } from '../helpers/loopback.js';
import { S3RVER_CREDENTIALS } from '../helpers/s3rver.js';

/**
 * S3's ListMultipartUploads and AbortMultipartUpload, as a loopback fake: s3rver implements
 * neither. It pages `max-uploads` at a time by key and upload-id markers, as S3 does.
 */
async function fakeUploads(uploads: Array<{ key: string; id: string; initiated: Date }>) {
  const listed: string[] = [];
  const aborted: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://fake');
    if (req.method === 'GET' && url.pathname.replace(/\/$/, '') === '/media' && url.searchParams.has('uploads')) {
      listed.push(url.search);
      const after = `${url.searchParams.get('key-marker') ?? ''}\n${url.searchParams.get('upload-id-marker') ?? ''}`;
      const rest = uploads.filter((u) => `${u.key}\n${u.id}` > after);
      const page = rest.slice(0, Number(url.searchParams.get('max-uploads') ?? 1000));
      const last = page[page.length - 1];
      const truncated = rest.length > page.length;
      res.writeHead(200, { 'content-type': 'application/xml' }).end(
        `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>media</Bucket>` +
          `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextKeyMarker>${last.key}</NextKeyMarker><NextUploadIdMarker>${last.id}</NextUploadIdMarker>` : ''}` +
          page.map((u) => `<Upload><Key>${u.key}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`).join('') +
          `</ListMultipartUploadsResult>`,
      );
    } else if (req.method === 'DELETE' && url.searchParams.has('uploadId')) {
      aborted.push(`${url.pathname.slice('/media/'.length)} ${url.searchParams.get('uploadId')}`);
      res.writeHead(204).end();
    } else {
      res.writeHead(501).end();
    }
  });
  return { ...(await listenLoopback(server)), listed, aborted };
}

test('the debris sweep aborts, across pages, the multipart uploads begun before its cutoff and no others', async () => {
  Object.assign(process.env, S3RVER_CREDENTIALS);
  const now = Date.now();
  const fake = await fakeUploads([
    { key: 'files/a/original', id: 'u1', initiated: new Date(now - 2 * 3600_000) },
    { key: 'files/b/original', id: 'u2', initiated: new Date(now - 60_000) },
    { key: 'files/c/upload-1', id: 'u3', initiated: new Date(now - 3 * 3600_000) },
  ]);
  const store = new S3BlobStore({ bucket: 'media', endpoint: fake.url, region: 'us-east-1', forcePathStyle: true, urls: 'presigned' }, { listPage: 1 });
  try {
    assert.equal(await store.sweepDebris(now - 3600_000), 2);
    assert.deepEqual(fake.aborted, ['files/a/original u1', 'files/c/upload-1 u3']);
    assert.equal(fake.listed.length, 3, 'one page per upload');
  } finally {
    store.close();
    await fake.close();
  }
});
