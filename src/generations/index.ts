export { submitGeneration, type SubmitDeps } from './submit.js';
export { generationView, type ViewExtras } from './view.js';
export type { StoredInput, StoredOutput, StoredRequest } from './records.js';
export { parseOutputs } from './records.js';
export { listGenerations } from './list.js';
export { queuePosition } from './queue-position.js';
export { cancelGeneration, CANCELLED_REASON } from './cancel.js';
export { inputPrefix } from './inputs.js';
export { awaitEnd, preferredWait } from './await-end.js';
