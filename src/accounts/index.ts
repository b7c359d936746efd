export { Authenticator, type Principal } from './principal.js';
export { MemoryRpmLimiter, StoreRpmLimiter, type RpmLimiter, type RpmDecision } from './rate-limit.js';
export { seedClients, createClientWithKey } from './seed.js';
export { generateKey, hashKey, KEY_PREFIX } from './keys.js';
export { priceOf, usd, formatUsd, PRICES } from './pricing.js';
