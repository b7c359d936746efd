import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CT = 'multipart/form-data; boundary=xyz';
const filePart = (bytes: string) => `--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n${bytes}`;

describe('malformed multipart on POST /v1/files is a 4xx, never a 500', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer({ workers: '0' });
  });
  after(() => ts.close());

  const cases: Array<[string, string, string, number, string]> = [
    ['no boundary in the Content-Type', 'multipart/form-data', `${filePart('1234')}\r\n--xyz--\r\n`, 400, 'Malformed multipart/form-data body: the Content-Type names no boundary'],
    ['a boundary the body does not use', 'multipart/form-data; boundary=abc', `${filePart('1234')}\r\n--xyz--\r\n`, 400, 'Malformed multipart/form-data body: the body ends before its closing boundary'],
    ['a body cut inside the file part', CT, filePart('1234'), 400, 'Malformed multipart/form-data body: the body ends before its closing boundary'],
    ['a body cut inside the part headers', CT, '--xyz\r\nContent-Disposition: form-da', 400, 'Malformed multipart/form-data body: the body ends before its closing boundary'],
    ['a body that is not multipart at all', CT, '{"hello": "world"}', 400, 'Malformed multipart/form-data body: the body ends before its closing boundary'],
    ['an empty body', CT, '', 400, "A multipart upload needs a part named 'file'"],
    [
      'too many fields',
      CT,
      Array.from({ length: 20 }, (_, i) => `--xyz\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\n1\r\n`).join('') + '--xyz--\r\n',
      413,
      'A multipart upload takes at most 10 fields',
    ],
  ];
  for (const [name, contentType, body, status, detail] of cases) {
    test(`${name}: ${status}`, async () => {
      const res = await ts.call('POST', '/v1/files', { body, headers: { 'content-type': contentType } });
      assert.deepEqual({ status: res.status, body: await res.json() }, { status, body: { detail } });
    });
  }

  test('no folder is left under blobs/files by any of them', () => {
    const root = path.join(ts.dataDir, 'blobs', 'files');
    assert.deepEqual(fs.existsSync(root) ? fs.readdirSync(root) : [], []);
  });
});
