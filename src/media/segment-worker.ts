// The segmentation model's thread: onnxruntime-node runs an inference synchronously, so it
// runs here rather than on the server's event loop. One message in, one answer out, in order.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { MODEL_SIDE, readModel, type SegmentationModel } from './segment-model.js';

export type SegmentRequest = { id: number; input: Float32Array };
export type SegmentReply = { id: number; scores: Float32Array } | { id: number; error: string } | { ready: true } | { failed: string };

const port = parentPort!;
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

try {
  const session = await ort.InferenceSession.create(await readModel((workerData as { model: SegmentationModel }).model), {
    graphOptimizationLevel: 'all',
    // Without the arena the ~1 GB an inference needs goes back after it (RSS ~250 MB idle, not ~1.6 GB).
    enableCpuMemArena: false,
  });
  port.on('message', async ({ id, input }: SegmentRequest) => {
    try {
      const output = await session.run({ input: new ort.Tensor('float32', input, [1, 3, MODEL_SIDE, MODEL_SIDE]) }, ['output']);
      const scores = output.output.data;
      port.postMessage({ id, scores } satisfies SegmentReply, [scores.buffer as ArrayBuffer]);
    } catch (err) {
      port.postMessage({ id, error: errorText(err) } satisfies SegmentReply);
    }
  });
  port.postMessage({ ready: true } satisfies SegmentReply);
} catch (err) {
  port.postMessage({ failed: errorText(err) } satisfies SegmentReply);
}
