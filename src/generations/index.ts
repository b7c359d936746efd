export { submitGeneration, type SubmitDeps } from './submit.js';
export { adminGenerationView, generationView } from './view.js';
export type { StoredInput, StoredOutput, StoredRequest } from './records.js';
export { parseOutputs } from './records.js';
