export * from './errors.js';
export * from './schemas.js';
export * from './rules.js';
export * from './validation.js';
export { API_VERSION } from './version.js';
export * from './admin-schemas.js';
export * from './file-schemas.js';
