export { WorkerPool } from './worker-pool.js';
export { DebrisSweeper } from './debris-sweeper.js';
