import type { AspectRatio } from '../../contract/index.js';

const RATIOS: Record<AspectRatio, number> = {
  '3:1': 3, '2:1': 2, '21:9': 21 / 9, '16:9': 16 / 9, '4:3': 4 / 3, '3:2': 3 / 2,
  '1:1': 1, '3:4': 3 / 4, '2:3': 2 / 3, '9:16': 9 / 16, '1:2': 1 / 2, '1:3': 1 / 3,
};

/** An aspect ratio as width over height. */
export const aspectRatioValue = (ratio: AspectRatio): number => RATIOS[ratio];
