import sharp from 'sharp';
import { probeImage, thumbnail, gradeImage } from '/work/wt-files/dist/src/media/image.js';
const b = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAwAAAAKCAIAAAAPTiitAAAACXBIWXMAAAMHAAAD6AG1e1JrAAAAFUlEQVR4nGM4oaFBEDGMKmKgNBAlACtDg0Fy3eTGAAAAAElFTkSuQmCC','base64');
console.log(await probeImage(b, { maxPixels: 64e6, maxSide: 8000 }));
console.log(await sharp(b).metadata());
for (const [name, f] of [['thumb', () => thumbnail(b, 20, 20)], ['grade', () => gradeImage(b, { hue: 0, saturation: 1, brightness: 1, contrast: 1 })], ['plain', () => sharp(b).raw().toBuffer()], ['err', () => sharp(b, {failOn:'error'}).raw().toBuffer()]]) {
  try { await f(); console.log(name,'ok'); } catch (e) { console.log(name, e.message); }
}
