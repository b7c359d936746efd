export { migrate, MigrationMismatch, type MigrateOptions, type MigrationReport } from './migrate.js';
export { MigrationRefused } from './refusal.js';
export { renderReport } from './report.js';
export { TABLES, isBookkeeping, type TableDecision } from './tables.js';
