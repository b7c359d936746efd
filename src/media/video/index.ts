export { VideoToolkit, type VideoProbe, type VideoToolkitOptions } from './toolkit.js';
export { ProcessError } from './process.js';
export { probeVideoBytes } from './probe-bytes.js';
