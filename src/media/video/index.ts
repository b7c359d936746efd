export { VideoToolkit, type VideoProbe, type VideoToolkitOptions } from './toolkit.js';
export { ProcessError } from './process.js';
export { Semaphore } from './semaphore.js';
export { probeVideoFile } from './probe-file.js';
