export { submitGeneration, type SubmitDeps } from './submit.js';
export { generationView } from './view.js';
export type { StoredInput, StoredOutput, StoredRequest } from './records.js';
export { parseOutputs } from './records.js';
export { generationDetails } from './details.js';
export { inputPrefix } from './inputs.js';
