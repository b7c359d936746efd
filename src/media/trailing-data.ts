import type { ImageFormat } from './sniff.js';

/**
 * How many bytes follow the end of the image its magic bytes announce: a polyglot (a PNG with a
 * ZIP or script appended, a GIFAR) decodes as an image while carrying something else. Null when
 * the structure can't be walked; the decoder then decides.
 */
export function trailingBytes(bytes: Buffer, format: ImageFormat): number | null {
  switch (format) {
    case 'png':
      return afterPng(bytes);
    case 'webp':
      return afterRiff(bytes);
    case 'gif':
      return afterMarker(bytes, Buffer.from([0x3b]));
    case 'jpeg':
      return afterMarker(bytes, Buffer.from([0xff, 0xd9]));
  }
}

/** Walks the chunks to the end of IEND. */
function afterPng(bytes: Buffer): number | null {
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    offset += 12 + length;
    if (type === 'IEND') return offset <= bytes.length ? bytes.length - offset : null;
  }
  return null;
}

/** The RIFF size field counts everything after the first 8 bytes; chunks are padded to even sizes. */
function afterRiff(bytes: Buffer): number | null {
  if (bytes.length < 12) return null;
  const end = 8 + bytes.readUInt32LE(4);
  if (end > bytes.length) return null;
  const rest = bytes.length - end;
  return rest === 1 && bytes[end] === 0 ? 0 : rest;
}

/**
 * Bytes after the last end marker (JPEG EOI, GIF trailer), not counting zero padding, which
 * some cameras and encoders leave. A marker that isn't there means the file is cut short: the
 * decoder reports that.
 */
function afterMarker(bytes: Buffer, marker: Buffer): number | null {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  const at = bytes.lastIndexOf(marker);
  if (at < 0) return null;
  return end - (at + marker.length) <= 0 ? 0 : end - (at + marker.length);
}
