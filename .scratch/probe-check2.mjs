import sharp from 'sharp';
import { probeImage, thumbnail, gradeImage } from '/work/wt-files/dist/src/media/image.js';
const png = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
let seed = 7; const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const int = (n) => Math.floor(rnd() * n);
let bad = 0;
for (let i = 0; i < 4000; i++) {
  let b = Buffer.from(png);
  const kind = int(3);
  if (kind === 0) { const at = int(b.length); b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), b.subarray(at)]); }
  else if (kind === 1) { const at = int(b.length); b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + int(200)), b.subarray(at)]); }
  else { b.writeUInt32BE([0, 1, 0x7fffffff, 0xffffffff, 65535, 100000][int(6)], [16, 20][int(2)]); }
  const p = await probeImage(b, { maxPixels: 64e6, maxSide: 8000 });
  if (!p.ok) continue;
  for (const [name, f] of [['thumb', () => thumbnail(b, 20, 20)], ['grade', () => gradeImage(b, { hue: 0, saturation: 1, brightness: 1, contrast: 1 })], ['failOnError', () => sharp(b, { failOn: 'error' }).rotate().raw().toBuffer()]]) {
    try { await f(); } catch (e) { bad++; if (bad < 8) console.log(kind, name, e.message.split('\n')[0], b.length, png.length); }
  }
}
console.log('bad', bad);
