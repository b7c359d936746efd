import { execFileSync, spawnSync } from 'node:child_process';
import sharp from 'sharp';

/** Why OCR tests are skipped here, or null when Debian's tesseract is on PATH. */
export function ocrMissing(): string | null {
  const found = spawnSync('tesseract', ['--version'], { stdio: 'ignore' });
  return found.status === 0 ? null : 'tesseract is not installed (apt-get install tesseract-ocr): text in frames is not read';
}

/**
 * The text tesseract reads in rows [top, height) of a packed RGB frame. Light text on a dark card
 * reads best negated, grey and three times larger; --psm 6 takes it as one block of lines.
 */
export async function readText(frame: { data: Buffer; width: number; height: number }, top: number): Promise<string> {
  const image = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .extract({ left: 0, top, width: frame.width, height: frame.height - top })
    .greyscale()
    .resize({ width: frame.width * 3 })
    .negate()
    .png()
    .toBuffer();
  return execFileSync('tesseract', ['stdin', 'stdout', '--psm', '6'], { input: image, stdio: ['pipe', 'pipe', 'ignore'] }).toString('utf8');
}
