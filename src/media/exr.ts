import { toHalf } from './half-float.js';

/** A linear-light RGB picture, three floats per pixel, rows top to bottom. */
export interface LinearImage {
  width: number;
  height: number;
  rgb: Float32Array;
}

/** ACES2065-1 (AP0) primaries and white point, for the `chromaticities` attribute. */
const ACES_AP0 = [0.7347, 0.2653, 0.0, 1.0, 0.0001, -0.077, 0.32168, 0.33767];

function attribute(name: string, type: string, value: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32LE(value.length);
  return Buffer.concat([Buffer.from(`${name}\0${type}\0`, 'latin1'), size, value]);
}

const int32s = (...values: number[]) => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeInt32LE(v, i * 4));
  return b;
};
const float32s = (...values: number[]) => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
};

/**
 * A single-part scanline OpenEXR file: HALF channels B, G, R (the format stores them in
 * name order), no compression, ACES2065-1 chromaticities.
 */
export function encodeExr(image: LinearImage): Buffer {
  const { width, height, rgb } = image;
  const channel = (name: string) => Buffer.concat([Buffer.from(`${name}\0`, 'latin1'), int32s(1), Buffer.from([0, 0, 0, 0]), int32s(1, 1)]);
  const header = Buffer.concat([
    int32s(20000630, 2), // magic, version 2 with no flags: single-part scanline
    attribute('channels', 'chlist', Buffer.concat([channel('B'), channel('G'), channel('R'), Buffer.from([0])])),
    attribute('chromaticities', 'chromaticities', float32s(...ACES_AP0)),
    attribute('compression', 'compression', Buffer.from([0])),
    attribute('dataWindow', 'box2i', int32s(0, 0, width - 1, height - 1)),
    attribute('displayWindow', 'box2i', int32s(0, 0, width - 1, height - 1)),
    attribute('lineOrder', 'lineOrder', Buffer.from([0])),
    attribute('pixelAspectRatio', 'float', float32s(1)),
    attribute('screenWindowCenter', 'v2f', float32s(0, 0)),
    attribute('screenWindowWidth', 'float', float32s(1)),
    Buffer.from([0]),
  ]);

  const lineBytes = width * 3 * 2;
  const chunkBytes = 8 + lineBytes;
  const offsets = Buffer.alloc(height * 8);
  const body = Buffer.alloc(height * chunkBytes);
  const first = header.length + offsets.length;
  for (let y = 0; y < height; y++) {
    offsets.writeBigUInt64LE(BigInt(first + y * chunkBytes), y * 8);
    const at = y * chunkBytes;
    body.writeInt32LE(y, at);
    body.writeInt32LE(lineBytes, at + 4);
    // Channel-major within the line: all B, then all G, then all R.
    for (const [c, plane] of [[2, 0], [1, 1], [0, 2]] as const) {
      const base = at + 8 + plane * width * 2;
      for (let x = 0; x < width; x++) body.writeUInt16LE(toHalf(rgb[(y * width + x) * 3 + c]), base + x * 2);
    }
  }
  return Buffer.concat([header, offsets, body]);
}
