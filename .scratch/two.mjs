import sharp from 'sharp';
import { probeImage } from '/work/wt-files/dist/src/media/image.js';
const b = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAAMHAAAD6AG1e1JrAAAAFUlEQVR4nGM4oaFBEDGMKmKgNBAlACtDg0Fy3eTGAAAAAElFTkSuQmCC','base64');
const orig = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
console.log(orig.toString('base64'));
const r = await Promise.all(Array.from({length: 20}, () => probeImage(b, { maxPixels: 64e6, maxSide: 8000 })));
console.log(r.map(x => x.ok ? 'ok' : x.failureCode).join(' '));
const seq = [];
for (let i = 0; i < 20; i++) seq.push((await probeImage(b, { maxPixels: 64e6, maxSide: 8000 })).ok ? 'ok' : 'x');
console.log('seq', seq.join(' '));
const variants = { statsErr: () => sharp(b, { failOn: 'error' }).stats(), rawErr: () => sharp(b, { failOn: 'error' }).raw().toBuffer(), rawWarn: () => sharp(b).raw().toBuffer(), statsWarn: () => sharp(b).stats() };
for (const [n, f] of Object.entries(variants)) {
  const res = await Promise.all(Array.from({ length: 20 }, () => f().then(() => 'ok', () => 'x')));
  console.log(n, res.join(' '));
}
