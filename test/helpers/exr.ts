import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { tempDir } from './temp-dir.js';
import { toolkit } from './video.js';

/**
 * The tests' own OpenEXR reader, written from the file-format document and sharing no code with
 * src/media/exr.ts: single-part scanline files, uncompressed, HALF/FLOAT/UINT channels. It follows
 * the offset table to each chunk, so a wrong offset or line number fails here.
 */
export interface ExrChannel {
  name: string;
  /** 0 UINT, 1 HALF, 2 FLOAT. */
  pixelType: number;
}

export interface ExrImage {
  width: number;
  height: number;
  channels: ExrChannel[];
  compression: string;
  chromaticities: { redX: number; redY: number; greenX: number; greenY: number; blueX: number; blueY: number; whiteX: number; whiteY: number };
  /** One plane per channel name, rows top to bottom. */
  planes: Record<string, Float32Array>;
}

const COMPRESSIONS = ['NO_COMPRESSION', 'RLE_COMPRESSION', 'ZIPS_COMPRESSION', 'ZIP_COMPRESSION', 'PIZ_COMPRESSION', 'PXR24_COMPRESSION', 'B44_COMPRESSION', 'B44A_COMPRESSION', 'DWAA_COMPRESSION', 'DWAB_COMPRESSION'];

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

export function readExr(bytes: Buffer): ExrImage {
  if (bytes.readUInt32LE(0) !== 20000630) throw new Error('not an OpenEXR file');
  const version = bytes.readUInt32LE(4);
  if ((version & 0xff) !== 2) throw new Error(`OpenEXR version ${version & 0xff}`);
  if (version & (0x200 | 0x800 | 0x1000)) throw new Error('tiled, deep or multi-part files are not read here');

  let at = 8;
  const cString = () => {
    const end = bytes.indexOf(0, at);
    const s = bytes.toString('latin1', at, end);
    at = end + 1;
    return s;
  };
  const attributes = new Map<string, { type: string; value: Buffer }>();
  for (let name = cString(); name !== ''; name = cString()) {
    const type = cString();
    const size = bytes.readInt32LE(at);
    attributes.set(name, { type, value: bytes.subarray(at + 4, at + 4 + size) });
    at += 4 + size;
  }
  const attribute = (name: string, type: string) => {
    const a = attributes.get(name);
    if (!a || a.type !== type) throw new Error(`missing ${type} attribute ${name}`);
    return a.value;
  };

  const chlist = attribute('channels', 'chlist');
  const channels: ExrChannel[] = [];
  for (let p = 0; chlist[p] !== 0; ) {
    const end = chlist.indexOf(0, p);
    const name = chlist.toString('latin1', p, end);
    const pixelType = chlist.readInt32LE(end + 1);
    const [xSampling, ySampling] = [chlist.readInt32LE(end + 9), chlist.readInt32LE(end + 13)];
    if (xSampling !== 1 || ySampling !== 1) throw new Error(`channel ${name} is subsampled`);
    channels.push({ name, pixelType });
    p = end + 17;
  }
  const compression = COMPRESSIONS[attribute('compression', 'compression')[0]] ?? 'unknown';
  if (compression !== 'NO_COMPRESSION') throw new Error(`${compression} is not read here`);
  const box = attribute('dataWindow', 'box2i');
  const [xMin, yMin, xMax, yMax] = [0, 4, 8, 12].map((o) => box.readInt32LE(o));
  const [width, height] = [xMax - xMin + 1, yMax - yMin + 1];
  const c = attribute('chromaticities', 'chromaticities');
  const [redX, redY, greenX, greenY, blueX, blueY, whiteX, whiteY] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => c.readFloatLE(i * 4));

  const planes: Record<string, Float32Array> = Object.fromEntries(channels.map((ch) => [ch.name, new Float32Array(width * height)]));
  const seen = new Set<number>();
  // Uncompressed files hold one scanline per chunk; the offset table follows the header.
  for (let chunk = 0; chunk < height; chunk++) {
    let p = Number(bytes.readBigUInt64LE(at + chunk * 8));
    const row = bytes.readInt32LE(p) - yMin;
    const size = bytes.readInt32LE(p + 4);
    p += 8;
    if (row < 0 || row >= height || seen.has(row)) throw new Error(`chunk ${chunk} holds line ${row}`);
    seen.add(row);
    const expected = channels.reduce((sum, ch) => sum + width * (ch.pixelType === 1 ? 2 : 4), 0);
    if (size !== expected) throw new Error(`line ${row} is ${size} bytes, not ${expected}`);
    for (const ch of channels) {
      const plane = planes[ch.name];
      for (let x = 0; x < width; x++) {
        if (ch.pixelType === 1) plane[row * width + x] = halfToFloat(bytes.readUInt16LE(p + x * 2));
        else plane[row * width + x] = ch.pixelType === 2 ? bytes.readFloatLE(p + x * 4) : bytes.readUInt32LE(p + x * 4);
      }
      p += width * (ch.pixelType === 1 ? 2 : 4);
    }
  }
  return { width, height, channels, compression, chromaticities: { redX, redY, greenX, greenY, blueX, blueY, whiteX, whiteY }, planes };
}

/**
 * The same file through ffmpeg's own EXR decoder, as 16-bit RGB rows top to bottom, 0..1.
 * The npm ffmpeg (2018) decodes EXR to 16-bit integers only, so values above 1 read as 1 here.
 */
export async function exrThroughFfmpeg(bytes: Buffer): Promise<{ width: number; height: number; channels: number; rgb: Float32Array }> {
  const dir = tempDir();
  const file = path.join(dir, 'still.exr');
  try {
    fs.writeFileSync(file, bytes);
    const png = await toolkit.decode(['-i', file, '-frames:v', '1', '-pix_fmt', 'rgb48be', '-f', 'image2pipe', '-vcodec', 'png', '-']);
    const { data, info } = await sharp(png).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const samples = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
    return { width: info.width, height: info.height, channels: info.channels, rgb: Float32Array.from(samples, (v) => v / 65535) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
