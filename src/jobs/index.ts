export { WorkerPool } from './worker-pool.js';
