export { openStore, type Store, type StoreOptions, type DialectCapabilities } from './database.js';
export type * from './schema.js';
export { timeOrderedId } from './ids.js';
export * as clients from './clients.js';
export * as generations from './generations.js';
export * as queue from './queue.js';
export * as ledger from './ledger.js';
export * as usage from './usage.js';
export * as files from './files.js';
