import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRatio, videoSize, VIDEO_ASPECT_RATIOS, type VideoResolution } from '../../src/contract/index.js';

const EXPECTED: Record<VideoResolution, Record<string, string>> = {
  '360p': { '9:16': '360×640', '3:4': '360×480', '1:1': '360×360', '4:3': '480×360', '16:9': '640×360', '21:9': '840×360' },
  '540p': { '9:16': '540×960', '3:4': '540×720', '1:1': '540×540', '4:3': '720×540', '16:9': '960×540', '21:9': '1260×540' },
  '720p': { '9:16': '720×1280', '3:4': '720×960', '1:1': '720×720', '4:3': '960×720', '16:9': '1280×720', '21:9': '1680×720' },
  '1080p': { '9:16': '1080×1920', '3:4': '1080×1440', '1:1': '1080×1080', '4:3': '1440×1080', '16:9': '1920×1080', '21:9': '2520×1080' },
};

test('output size: the short side is the resolution, the long side follows the ratio', () => {
  for (const [resolution, sizes] of Object.entries(EXPECTED) as Array<[VideoResolution, Record<string, string>]>) {
    for (const ratio of VIDEO_ASPECT_RATIOS) {
      const { width, height } = videoSize(resolution, parseRatio(ratio));
      assert.equal(`${width}×${height}`, sizes[ratio], `${resolution} ${ratio}`);
    }
  }
});

test('an edit of an odd-shaped source keeps its aspect in even pixels', () => {
  assert.deepEqual(videoSize('360p', { w: 333, h: 200 }), { width: 600, height: 360 });
  assert.deepEqual(videoSize('540p', { w: 201, h: 301 }), { width: 540, height: 808 });
});
