import type { ImageFormat } from './sniff.js';

/**
 * An image's width and height read from its header bytes alone, as libvips reports them, or null
 * when the header doesn't say plainly: then the caller asks sharp. A JPEG with EXIF data is left
 * to sharp too, since its orientation may swap the sides as displayed.
 */
export function headerSize(bytes: Buffer, format: ImageFormat): { width: number; height: number } | null {
  const size = read(bytes, format);
  return size && size.width > 0 && size.height > 0 ? size : null;
}

function read(bytes: Buffer, format: ImageFormat): { width: number; height: number } | null {
  switch (format) {
    case 'png':
      // IHDR is the first chunk: length, type, then width and height.
      if (bytes.length < 24 || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
      return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    case 'gif':
      return bytes.length < 10 ? null : { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
    case 'webp':
      return webpSize(bytes);
    case 'jpeg':
      return jpegSize(bytes);
  }
}

function webpSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 30) return null;
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8 ' && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) {
    return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes[20] === 0x2f) {
    const bits = bytes.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
  return null;
}

/** Frame headers (SOF0–SOF15 but DHT, JPG and DAC) carry the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegSize(bytes: Buffer): { width: number; height: number } | null {
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null; // scan data before a frame header: let sharp judge
    const length = bytes.readUInt16BE(offset + 2);
    if (marker === 0xe1 && bytes.toString('latin1', offset + 4, offset + 8) === 'Exif') return null;
    if (SOF.has(marker)) return { width: bytes.readUInt16BE(offset + 7), height: bytes.readUInt16BE(offset + 5) };
    offset += 2 + length;
  }
  return null;
}
