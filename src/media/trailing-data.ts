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
      return afterEnd(bytes, gifEnd(bytes));
    case 'jpeg':
      return afterEnd(bytes, jpegImagesEnd(bytes));
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
 * Bytes after the image's own end, not counting zero padding, which some cameras and encoders
 * leave. No end (null) means the file is cut short or malformed: the decoder reports that.
 */
function afterEnd(bytes: Buffer, end: number | null): number | null {
  if (end === null) return null;
  let last = bytes.length;
  while (last > end && bytes[last - 1] === 0) last--;
  return last - end;
}

/** Walks the GIF's blocks (by their lengths, so a `;` inside data or after the end can't pass for its trailer) to the end of its trailer. */
function gifEnd(bytes: Buffer): number | null {
  if (bytes.length < 13) return null;
  let offset = 13 + colourTable(bytes[10]);
  while (offset < bytes.length) {
    const block = bytes[offset];
    if (block === 0x3b) return offset + 1;
    if (block === 0x21) offset += 2;
    else if (block === 0x2c && offset + 10 <= bytes.length) offset += 10 + colourTable(bytes[offset + 9]) + 1;
    else return null;
    // Data sub-blocks: a length byte, that many bytes, until a zero length.
    while (offset < bytes.length && bytes[offset] !== 0) offset += 1 + bytes[offset];
    offset++;
  }
  return null;
}

const colourTable = (packed: number) => (packed & 0x80 ? 3 * 2 ** ((packed & 7) + 1) : 0);

/**
 * The end of the JPEG and of any whole JPEG images right after it: phone photos (MPF: gain maps,
 * depth maps, Ultra HDR) keep those after the primary image's EOI.
 */
function jpegImagesEnd(bytes: Buffer): number | null {
  let end = jpegEnd(bytes, 0);
  while (end !== null && bytes[end] === 0xff && bytes[end + 1] === 0xd8) {
    const next = jpegEnd(bytes, end);
    if (next === null) break;
    end = next;
  }
  return end;
}

/** Walks a JPEG from `start` by its segments' lengths, and each scan's data to its next marker, to the end of EOI. */
function jpegEnd(bytes: Buffer, start: number): number | null {
  let offset = start + 2;
  while (offset + 1 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0xd9) return offset + 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (offset + 4 > bytes.length) return null;
    offset += 2 + bytes.readUInt16BE(offset + 2);
    if (marker !== 0xda) continue;
    // Entropy-coded data runs to the next marker: an FF not followed by a stuffed 00 or a restart.
    // indexOf finds each FF natively; a byte-by-byte loop costs ~1 ms per MB.
    for (;;) {
      const ff = bytes.indexOf(0xff, offset);
      if (ff < 0 || ff + 1 >= bytes.length) return null;
      offset = ff;
      const next = bytes[ff + 1];
      if (next !== 0 && (next < 0xd0 || next > 0xd7)) break;
      offset = ff + 1;
    }
  }
  return null;
}
