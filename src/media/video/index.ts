export { VideoToolkit, type VideoProbe, type VideoToolkitOptions } from './toolkit.js';
export { ProcessError } from './process.js';
export { probeVideoFile } from './probe-file.js';
