export interface PixelLimits {
  /** Largest width × height accepted. */
  maxPixels: number;
  /** Largest width or height accepted. */
  maxSide: number;
}

const megapixels = (pixels: number) => `${Math.round(pixels / 1e5) / 10} MP`;

/** Why an image of this size is refused, or null when it is within the limits. */
export function sizeProblem(width: number, height: number, limits: PixelLimits): string | null {
  if (width > limits.maxSide || height > limits.maxSide) {
    return `image is ${width}×${height} pixels; the limit is ${limits.maxSide} per side`;
  }
  if (width * height > limits.maxPixels) {
    return `image is ${megapixels(width * height)} (${width}×${height}); the limit is ${megapixels(limits.maxPixels)}`;
  }
  return null;
}
