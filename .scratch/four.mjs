import sharp from 'sharp';
const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).png({compressionLevel:1}).toBuffer();
const jpg = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).jpeg().toBuffer();
const cases = { cutPng: big.subarray(0, big.length - 1000), cutPng2: big.subarray(0, big.length >> 1), cutJpg: jpg.subarray(0, jpg.length - 1000), cutJpg2: jpg.subarray(0, jpg.length >> 1) };
const fs = {
  lanczos: (x) => sharp(x, { failOn: 'error' }).resize(64, 64, { fit: 'fill' }).raw().toBuffer(),
  linear: (x) => sharp(x, { failOn: 'error' }).resize(64, 64, { fit: 'fill', kernel: 'linear' }).raw().toBuffer(),
  rawFull: (x) => sharp(x, { failOn: 'error' }).raw().toBuffer(),
};
for (const [n, f] of Object.entries(fs)) for (const [c, x] of Object.entries(cases)) {
  const t = performance.now();
  const r = await Promise.all([f(x), f(x), f(x)].map(p => p.then(() => 'ok', () => 'x')));
  console.log(n, c, r.join(''), (performance.now() - t).toFixed(0), 'ms');
}
