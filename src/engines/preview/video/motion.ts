import { cropRgb } from './frames.js';

/** The camera's travel, as a fraction of the frame, on each axis. */
const TRAVEL = 0.06;

export interface Stage {
  /** The card, rendered larger than the frame by the travel on every side. */
  rgb: Buffer;
  width: number;
  height: number;
}

export function stageSize(width: number, height: number): { width: number; height: number; dx: number; dy: number } {
  const dx = Math.max(2, Math.round(width * TRAVEL));
  const dy = Math.max(2, Math.round(height * TRAVEL));
  return { width: width + 2 * dx, height: height + 2 * dy, dx, dy };
}

/** Title safe: the share of the frame kept clear on each side. */
const TITLE_SAFE = 0.05;

/**
 * The part of the stage every frame shows (the camera travels up to 2·dx, 2·dy), inset
 * by the title-safe margin, so text placed there is whole and clear of the edges on every frame.
 */
export function stageSafeArea(width: number, height: number): { x: number; y: number; w: number; h: number } {
  const { dx, dy } = stageSize(width, height);
  const sx = Math.round(width * TITLE_SAFE);
  const sy = Math.round(height * TITLE_SAFE);
  return { x: 2 * dx + sx, y: 2 * dy + sy, w: width - 2 * dx - 2 * sx, h: height - 2 * dy - 2 * sy };
}

/**
 * A camera move over the stage: a diagonal drift with an eased start and stop, or for a
 * loop a closed orbit whose last frame is its first. Whole-pixel steps keep it exact.
 */
export function cameraMotion(stage: Stage, width: number, height: number, count: number, loop: boolean, direction: number): (i: number) => Buffer {
  const { dx, dy } = stageSize(width, height);
  return (i) => {
    const p = count > 1 ? i / (count - 1) : 0;
    let x: number;
    let y: number;
    if (loop) {
      x = dx + dx * Math.sin(2 * Math.PI * p) * direction;
      y = dy - dy * Math.cos(2 * Math.PI * p); // from the top edge down and back, a closed orbit
    } else {
      const eased = (1 - Math.cos(Math.PI * p)) / 2;
      x = direction > 0 ? 2 * dx * eased : 2 * dx * (1 - eased);
      y = 2 * dy * eased;
    }
    return cropRgb(stage.rgb, stage.width, Math.round(x), Math.max(0, Math.min(2 * dy, Math.round(y))), width, height);
  };
}
