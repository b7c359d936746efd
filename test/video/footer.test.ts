import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ocrMissing, readText } from '../helpers/ocr.js';
import { download, generate, startTestServer, type TestServer } from '../helpers/server.js';
import { frameRgb } from '../helpers/video.js';

/** Title safe: the share of the frame on each side where no text may sit. */
const SAFE = 0.05;

/** Strong luma steps between horizontal neighbours in row y, columns [x0, x1): text has many, flat or soft backdrops few. */
function steps(frame: { data: Buffer; width: number }, y: number, x0: number, x1: number): number {
  const luma = (x: number) => {
    const i = (y * frame.width + x) * 3;
    return 0.2126 * frame.data[i] + 0.7152 * frame.data[i + 1] + 0.0722 * frame.data[i + 2];
  };
  let n = 0;
  for (let x = x0; x < x1 - 1; x++) if (Math.abs(luma(x + 1) - luma(x)) > 40) n++;
  return n;
}

/** Where text sits in a frame: rows of text inside the safe columns, and text found in the unsafe border. */
function readFrame(frame: { data: Buffer; width: number; height: number }) {
  const { width, height } = frame;
  const sx = Math.round(width * SAFE);
  const sy = Math.round(height * SAFE);
  const textRows: number[] = [];
  const border = { left: 0, right: 0, top: 0, bottom: 0 };
  for (let y = 0; y < height; y++) {
    const inner = steps(frame, y, sx, width - sx);
    if (inner >= 25) {
      if (y < sy) border.top++;
      else if (y >= height - sy) border.bottom++;
      else textRows.push(y);
    }
    if (steps(frame, y, 0, sx) >= 5) border.left++;
    if (steps(frame, y, width - sx, width) >= 5) border.right++;
  }
  // The lowest line of text: the last run of consecutive text rows.
  let end = textRows.length - 1;
  let start = end;
  while (start > 0 && textRows[start - 1] === textRows[start] - 1) start--;
  return { border, lastLine: end < 0 ? null : { top: textRows[start], bottom: textRows[end] } };
}

describe('preview video footer: inside the title-safe area and legible on every frame', () => {
  let ts: TestServer;
  before(async () => {
    ts = await startTestServer();
  });
  after(() => ts.close());

  /** One clip per ratio, shared by the tests that look at it. */
  const clips = new Map<string, Promise<Buffer>>();
  const clip = (ratio: string) => {
    if (!clips.has(ratio)) {
      clips.set(ratio, (async () => {
        const done = await generate(ts, {
          prompt: 'A paper boat on a rainy street, drifting past lanterns',
          model: 'ray-3.2',
          type: 'video',
          aspect_ratio: ratio,
          video: { resolution: '360p' },
        });
        assert.equal(done.state, 'completed', JSON.stringify(done));
        return download(done.output[0].url);
      })());
    }
    return clips.get(ratio)!;
  };

  for (const [ratio, size] of [
    ['9:16', '360×640'],
    ['16:9', '640×360'],
  ]) {
    test(`${ratio} at 360p: at both ends of the camera move, no text in the border and a legible footer low in the frame`, async () => {
      const bytes = await clip(ratio);
      for (const index of [0, 119]) {
        const frame = await frameRgb(bytes, index);
        assert.equal(`${frame.width}×${frame.height}`, size);
        const { border, lastLine } = readFrame(frame);
        // A few rows may catch a backdrop edge; a line of text spans several.
        for (const [side, rows] of Object.entries(border)) assert.ok(rows < 3, `frame ${index}: text in the ${side} ${SAFE * 100}% border (${rows} rows)`);
        assert.ok(lastLine, `frame ${index}: no text found`);
        // The footer is the card's last line, at the foot of the safe area.
        assert.ok(lastLine.bottom >= frame.height * 0.75, `frame ${index}: the last line of text ends at row ${lastLine.bottom} of ${frame.height}; the footer is missing`);
        // An 11 px monospace line has an x-height of 6 px; the old 7 px footer had 4.
        assert.ok(lastLine.bottom - lastLine.top + 1 >= 5, `frame ${index}: the footer is ${lastLine.bottom - lastLine.top + 1} px tall, too small to read`);
      }
    });

    test(`${ratio} at 360p: the footer, read by OCR at both ends of the camera move, states the file's size ${size}`, { skip: ocrMissing() ?? false }, async () => {
      const bytes = await clip(ratio);
      for (const index of [0, 119]) {
        const frame = await frameRgb(bytes, index);
        const text = await readText(frame, Math.round(frame.height / 2));
        assert.match(text, /Atelier preview/, `frame ${index} reads: ${text}`);
        // Tesseract reads the multiplication sign as an x.
        const stated = /(\d{3,4}) ?[x×] ?(\d{3,4})/.exec(text);
        assert.equal(stated && `${stated[1]}×${stated[2]}`, size, `frame ${index} reads: ${text}`);
      }
    });
  }
});
