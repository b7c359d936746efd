import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '../../../src/contract/index.js';
import { checkAddress, createMediaFetcher, type FetchPolicy } from '../../../src/media/fetch/index.js';
import { solidImage } from '../../helpers/images.js';
import { fakeHost, testCertificate, type FakeHost, type Handler } from './fake-hosts.js';

const MB = 1024 * 1024;
const basePolicy: FetchPolicy = { allowPrivate: true, timeoutMs: 18_000, maxRedirects: 3, maxBytes: { image: 50 * MB, video: 200 * MB } };

/** The detail and status a fetch is refused with. */
async function refusal(promise: Promise<unknown>): Promise<[number, string]> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return [err.status, err.detail];
    throw err;
  }
  throw new Error('the fetch was not refused');
}

let png: Buffer;
let tlsPair: { cert: string; key: string };
const hosts: FakeHost[] = [];
const host = async (handler: Handler, options: Parameters<typeof fakeHost>[1] = {}) => {
  const h = await fakeHost(handler, options);
  hosts.push(h);
  return h.origin;
};

/** Serves the PNG at /image.png and redirect chains at /hop/<n> (n hops left), relative to itself. */
const imageHost: Handler = (req, res) => {
  const hop = /^\/hop\/(\d+)$/.exec(req.url ?? '');
  if (hop) {
    const left = Number(hop[1]);
    res.writeHead(302, { location: left > 1 ? `/hop/${left - 1}` : '/image.png' }).end();
  } else if (req.url === '/image.png') {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
  } else if (req.url === '/page') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html></html>');
  } else if (req.url === '/clip.mp4') {
    res.writeHead(200, { 'content-type': 'video/mp4' }).end(Buffer.alloc(1000));
  } else if (req.url === '/endless') {
    // No content-length: a stream that would never end without the cap.
    res.writeHead(200, { 'content-type': 'image/png' });
    const chunk = Buffer.alloc(64 * 1024, 7);
    const pump = () => {
      while (res.write(chunk));
    };
    res.on('drain', pump);
    res.on('close', () => res.off('drain', pump));
    pump();
  } else if (req.url === '/declared-huge') {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(2 * MB) });
    res.write(Buffer.alloc(10));
  } else if (req.url === '/silent') {
    // never answers
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('nope');
  }
};

before(async () => {
  png = await solidImage(16, 16);
  tlsPair = await testCertificate();
});
after(async () => {
  await Promise.all(hosts.map((h) => h.close()));
});

describe('media fetcher with private URLs allowed (local development)', () => {
  const fetcher = createMediaFetcher(basePolicy);
  after(() => fetcher.close());

  test('fetches an image over http with its media type', async () => {
    const origin = await host(imageHost);
    const got = await fetcher.fetch(`${origin}/image.png`, 'source');
    assert.deepEqual(got.bytes, png);
    assert.equal(got.contentType, 'image/png');
  });

  test('a non-2xx answer is 422 with the HTTP status', async () => {
    const origin = await host(imageHost);
    assert.deepEqual(await refusal(fetcher.fetch(`${origin}/missing.png`, 'image_ref[2]')), [422, 'image_ref[2]: failed to fetch URL (HTTP 404)']);
  });

  test('a page that is not an image is 422 content-type is not an image', async () => {
    const origin = await host(imageHost);
    assert.deepEqual(await refusal(fetcher.fetch(`${origin}/page`, 'source')), [422, 'source: content-type is not an image']);
  });

  test('follows three redirects, refuses a fourth', async () => {
    const origin = await host(imageHost);
    assert.deepEqual((await fetcher.fetch(`${origin}/hop/3`, 'source')).bytes, png);
    assert.deepEqual(await refusal(fetcher.fetch(`${origin}/hop/4`, 'source')), [422, 'source: failed to fetch URL (more than 3 redirects)']);
  });

  test('an endless body is cut off at the cap with 413', async () => {
    const small = createMediaFetcher({ ...basePolicy, maxBytes: { image: 256 * 1024, video: MB } });
    try {
      const origin = await host(imageHost);
      assert.deepEqual(await refusal(small.fetch(`${origin}/endless`, 'image_ref[0]')), [413, 'image_ref[0]: image exceeds 50 MB limit']);
      assert.deepEqual(await refusal(small.fetch(`${origin}/declared-huge`, 'source')), [413, 'source: image exceeds 50 MB limit']);
      // The server is still fine afterwards.
      assert.deepEqual((await small.fetch(`${origin}/image.png`, 'source')).bytes, png);
    } finally {
      await small.close();
    }
  });

  test('video sources need a video/* type and have their own cap', async () => {
    const origin = await host(imageHost);
    const clip = await fetcher.fetch(`${origin}/clip.mp4`, 'source', { kind: 'video' });
    assert.equal(clip.contentType, 'video/mp4');
    assert.equal(clip.bytes.length, 1000);
    assert.deepEqual(await refusal(fetcher.fetch(`${origin}/image.png`, 'source', { kind: 'video' })), [422, 'source: content-type is not a video']);
    assert.deepEqual(await refusal(fetcher.fetch(`${origin}/clip.mp4`, 'source')), [422, 'source: content-type is not an image']);
    const small = createMediaFetcher({ ...basePolicy, maxBytes: { image: MB, video: 500 } });
    try {
      assert.deepEqual(await refusal(small.fetch(`${origin}/clip.mp4`, 'source', { kind: 'video' })), [413, 'source: video exceeds 200 MB limit']);
    } finally {
      await small.close();
    }
  });

  test('an answer that never comes times out', async () => {
    const quick = createMediaFetcher({ ...basePolicy, timeoutMs: 300 });
    try {
      const origin = await host(imageHost);
      assert.deepEqual(await refusal(quick.fetch(`${origin}/silent`, 'source')), [422, 'source: failed to fetch URL (timed out)']);
    } finally {
      await quick.close();
    }
  });

  test('refused connections, bad schemes and garbage are 422, never a throw of another kind', async () => {
    assert.deepEqual(await refusal(fetcher.fetch('http://127.0.0.1:1/x.png', 'source')), [422, 'source: failed to fetch URL']);
    assert.deepEqual(await refusal(fetcher.fetch('ftp://example.com/x.png', 'source')), [422, 'source: url must be an absolute http(s) URL']);
    assert.deepEqual(await refusal(fetcher.fetch('not a url', 'source')), [422, 'source: url must be an absolute http(s) URL']);
  });

  test('an https page redirecting to http is refused even here', async () => {
    const plain = await host(imageHost);
    const secure = await host((_req, res) => res.writeHead(301, { location: `${plain}/image.png` }).end(), { tls: tlsPair });
    const trusting = createMediaFetcher({ ...basePolicy, ca: tlsPair.cert });
    try {
      assert.deepEqual(await refusal(trusting.fetch(`${secure}/x`, 'source')), [422, 'source: failed to fetch URL (redirect from https to http)']);
    } finally {
      await trusting.close();
    }
  });
});

describe('media fetcher with the default policy (public https only)', () => {
  const fetcher = createMediaFetcher({ ...basePolicy, allowPrivate: false });
  after(() => fetcher.close());

  test('http:// is refused before any connection', async () => {
    assert.deepEqual(await refusal(fetcher.fetch('http://example.com/x.png', 'source')), [422, 'source: url must use https']);
  });

  const literals: Array<[string, string, string]> = [
    ['https://127.0.0.1/x.png', '127.0.0.1', 'loopback'],
    ['https://169.254.169.254/latest/meta-data/', '169.254.169.254', 'linkLocal'],
    ['https://10.1.2.3/x.png', '10.1.2.3', 'private'],
    ['https://100.64.0.9/x.png', '100.64.0.9', 'carrierGradeNat'],
    ['https://[::1]/x.png', '::1', 'loopback'],
    ['https://[::ffff:127.0.0.1]/x.png', '::ffff:7f00:1', 'loopback'],
    ['https://[::ffff:169.254.169.254]/x.png', '::ffff:a9fe:a9fe', 'linkLocal'],
    ['https://[fd00::1]/x.png', 'fd00::1', 'uniqueLocal'],
    ['https://[fe80::1]/x.png', 'fe80::1', 'linkLocal'],
    ['https://2130706433/x.png', '127.0.0.1', 'loopback'],
    ['https://0x7f.1/x.png', '127.0.0.1', 'loopback'],
    ['https://0.0.0.0/x.png', '0.0.0.0', 'unspecified'],
  ];
  for (const [url, hostName, range] of literals) {
    test(`${url} is refused as ${range}`, async () => {
      assert.deepEqual(await refusal(fetcher.fetch(url, 'image_ref[0]')), [422, `image_ref[0]: url host '${hostName}' is not a public address (${range})`]);
    });
  }

  test('a host name resolving to loopback is refused at lookup', async () => {
    const origin = await host(imageHost, { tls: tlsPair });
    const port = new URL(origin).port;
    assert.deepEqual(await refusal(fetcher.fetch(`https://localhost:${port}/image.png`, 'source')), [
      422,
      "source: url host 'localhost' is not a public address (loopback)",
    ]);
  });
});

describe('media fetcher over https, with 127.0.0.1 standing in for a public host', () => {
  // Only 127.0.0.1 counts as public here; 127.0.0.2 and everything else follow the real policy.
  const policy: FetchPolicy = {
    ...basePolicy,
    allowPrivate: false,
    ca: '',
    checkAddress: (address) => (address === '127.0.0.1' ? { allowed: true } : checkAddress(address)),
  };

  test('fetches from a host whose certificate the fetcher was told to trust', async () => {
    const fetcher = createMediaFetcher({ ...policy, ca: tlsPair.cert });
    try {
      const origin = await host(imageHost, { tls: tlsPair });
      assert.deepEqual((await fetcher.fetch(`${origin}/hop/2`, 'source')).bytes, png);
    } finally {
      await fetcher.close();
    }
  });

  test('an untrusted certificate fails the fetch', async () => {
    const fetcher = createMediaFetcher(policy);
    try {
      const origin = await host(imageHost, { tls: tlsPair });
      assert.deepEqual(await refusal(fetcher.fetch(`${origin}/image.png`, 'source')), [422, 'source: failed to fetch URL']);
    } finally {
      await fetcher.close();
    }
  });

  test('a redirect to a private address is refused, by literal and by name', async () => {
    // inside.example.test names the private host; everything else is the loopback this test allows.
    const resolve = async (name: string) => [{ address: name === 'inside.example.test' ? '127.0.0.2' : '127.0.0.1', family: 4 }];
    const fetcher = createMediaFetcher({ ...policy, ca: tlsPair.cert, resolve });
    let privateHits = 0;
    try {
      const inside = await host(
        (_req, res) => {
          privateHits++;
          res.writeHead(200, { 'content-type': 'image/png' }).end(png);
        },
        { tls: tlsPair, address: '127.0.0.2' },
      );
      const port = new URL(inside).port;
      const outside = await host(
        (req, res) => res.writeHead(302, { location: req.url === '/by-name' ? `https://inside.example.test:${port}/` : `${inside}/` }).end(),
        { tls: tlsPair },
      );
      assert.deepEqual(await refusal(fetcher.fetch(`${outside}/by-literal`, 'source')), [
        422,
        "source: url host '127.0.0.2' is not a public address (loopback)",
      ]);
      assert.deepEqual(await refusal(fetcher.fetch(`${outside}/by-name`, 'source')), [
        422,
        "source: url host 'inside.example.test' is not a public address (loopback)",
      ]);
      assert.equal(privateHits, 0);
    } finally {
      await fetcher.close();
    }
  });
});

describe('media fetcher with a stand-in DNS', () => {
  const publicLoopback: FetchPolicy['checkAddress'] = (address) => (address === '127.0.0.1' ? { allowed: true } : checkAddress(address));
  const dnsError = (code: string) => Object.assign(new Error(code), { code });

  test('a resolver that is down is the spec 503, with Retry-After', async () => {
    const fetcher = createMediaFetcher({ ...basePolicy, allowPrivate: false, resolve: async () => Promise.reject(dnsError('EAI_AGAIN')) });
    try {
      const err = await fetcher.fetch('https://images.example.test/a.png', 'source').catch((e: ApiError) => e);
      assert.ok(err instanceof ApiError);
      assert.deepEqual([err.status, err.detail, err.headers['retry-after']], [503, 'Image URL ingestion unavailable', '10']);
    } finally {
      await fetcher.close();
    }
  });

  test('an unknown host is a 422', async () => {
    const fetcher = createMediaFetcher({ ...basePolicy, allowPrivate: false, resolve: async () => Promise.reject(dnsError('ENOTFOUND')) });
    try {
      assert.deepEqual(await refusal(fetcher.fetch('https://nowhere.example.test/a.png', 'source')), [422, 'source: failed to fetch URL']);
    } finally {
      await fetcher.close();
    }
  });

  test('a name whose only answers are private is refused without connecting', async () => {
    const fetcher = createMediaFetcher({ ...basePolicy, allowPrivate: false, resolve: async () => [{ address: '10.0.0.7', family: 4 }, { address: 'fd00::7', family: 6 }] });
    try {
      assert.deepEqual(await refusal(fetcher.fetch('https://images.example.test/a.png', 'source')), [
        422,
        "source: url host 'images.example.test' is not a public address (private)",
      ]);
    } finally {
      await fetcher.close();
    }
  });

  test('with mixed answers the socket connects to the checked public address, resolved once', async () => {
    let lookups = 0;
    const origin = await host(imageHost, { tls: tlsPair });
    const port = new URL(origin).port;
    const fetcher = createMediaFetcher({
      ...basePolicy,
      allowPrivate: false,
      ca: tlsPair.cert,
      checkAddress: publicLoopback,
      resolve: async () => {
        lookups++;
        return [{ address: '10.0.0.7', family: 4 }, { address: '127.0.0.1', family: 4 }];
      },
    });
    try {
      assert.deepEqual((await fetcher.fetch(`https://images.example.test:${port}/image.png`, 'source')).bytes, png);
      assert.equal(lookups, 1);
    } finally {
      await fetcher.close();
    }
  });
});
