import sharp from 'sharp';
const b = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAAMHAAAD6AG1e1JrAAAAFUlEQVR4nGM4oaFBEDGMKmKgNBAlACtDg0Fy3eTGAAAAAElFTkSuQmCC','base64');
const variants = {
  resizeErr: () => sharp(b, { failOn: 'error', sequentialRead: true }).resize(8, 8, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer(),
  resizeErr2: () => sharp(b, { failOn: 'error' }).resize(8, 8, { fit: 'fill' }).raw().toBuffer(),
  statsSeq: () => sharp(b, { failOn: 'error', sequentialRead: true }).stats(),
};
for (const [n, f] of Object.entries(variants)) {
  for (let k = 0; k < 5; k++) {
    const res = await Promise.all(Array.from({ length: 20 }, () => f().then(() => 'ok', () => 'x')));
    console.log(n, res.join(''));
  }
}
// big noisy image timing
const big = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).png({compressionLevel:1}).toBuffer();
const cut = big.subarray(0, big.length - 1000);
for (const [n, f] of Object.entries({ stats: (x) => sharp(x, { failOn: 'error' }).stats(), resize: (x) => sharp(x, { failOn: 'error' }).resize(64, 64, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer() })) {
  let t = performance.now(); const r1 = await f(big).then(() => 'ok', (e) => e.message); const r2 = await f(cut).then(() => 'ok', (e) => e.message.split('\n')[0]);
  console.log(n, (performance.now() - t).toFixed(0), 'ms', r1, r2, process.memoryUsage().rss >> 20, 'MB');
}
