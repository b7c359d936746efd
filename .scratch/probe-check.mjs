import sharp from 'sharp';
import { probeImage, thumbnail, gradeImage } from '/work/wt-files/dist/src/media/image.js';
const png = await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: 200, g: 40, b: 40 } } }).png().toBuffer();
let seed = 1; const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
let bad = 0;
for (let i = 0; i < 3000; i++) {
  const b = Buffer.from(png);
  for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  const p = await probeImage(b, { maxPixels: 64e6, maxSide: 8000 });
  if (!p.ok) continue;
  for (const [name, f] of [['thumb', () => thumbnail(b, 20, 20)], ['grade', () => gradeImage(b, { hue: 0, saturation: 1, brightness: 1, contrast: 1 })], ['plain', () => sharp(b).raw().toBuffer()], ['failOnError', () => sharp(b, { failOn: 'error' }).rotate().raw().toBuffer()]]) {
    try { await f(); } catch (e) { bad++; if (bad < 8) console.log(name, e.message, b.toString('hex').slice(0, 120)); }
  }
}
console.log('bad', bad);
