// Worker thread that owns the image classifier: tfjs's pure-JS CPU backend blocks the
// thread it runs on for a second or more per image, so it never runs on the API's thread.
import { parentPort } from 'node:worker_threads';
import type { ClassifierReply, ClassifierRequest, Prediction } from './classifier-protocol.js';
import { CLASSIFIER_SIDE } from './classifier-protocol.js';

async function loadModel() {
  const tf = await import('@tensorflow/tfjs');
  tf.enableProdMode(); // also quiets tfjs's advice to install the native backend, which can't install here
  await tf.setBackend('cpu');
  const nsfwjs = await import('nsfwjs');
  // The model ships inside the package (base64 weights): nothing is fetched.
  const model = await nsfwjs.load('MobileNetV2');
  return { tf, model };
}

let loaded: ReturnType<typeof loadModel> | null = null;
let chain = Promise.resolve();

async function classify({ id, pixels }: ClassifierRequest): Promise<ClassifierReply> {
  try {
    const { tf, model } = await (loaded ??= loadModel());
    const input = tf.tensor3d(pixels, [CLASSIFIER_SIDE, CLASSIFIER_SIDE, 3], 'int32');
    try {
      // nsfwjs 4.3's index.d.ts imports "./core" without an extension, so NodeNext sees `any` here.
      const predictions: Prediction[] = await model.classify(input, 5);
      return { id, predictions: predictions.map(({ className, probability }) => ({ className, probability })) };
    } finally {
      input.dispose();
    }
  } catch (err) {
    return { id, error: err instanceof Error ? err.message : String(err) };
  }
}

// One image at a time, in arrival order.
parentPort!.on('message', (request: ClassifierRequest) => {
  chain = chain.then(async () => parentPort!.postMessage(await classify(request)));
});
