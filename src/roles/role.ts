import { ConfigError, type Config } from '../config.js';

/** `serve` runs both parts in one process; `api` and `worker` are the scaled-out halves. */
export const ROLES = ['serve', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const servesApi = (role: Role) => role !== 'worker';
export const runsJobs = (role: Role) => role !== 'api';

/** A start that can't work: one line for the operator, exit status 1. */
export class StartRefused extends ConfigError {}

/** Refuses, before anything starts, a combination of role and settings that can't work. */
export function refuseUnworkable(config: Readonly<Config>, role: Role): void {
  if (role === 'worker' && config.workers === 0) {
    throw new StartRefused('atelier worker with --workers 0 (ATELIER_WORKERS) would run no jobs: give it 1 or more');
  }
}

/** A connection string safe to print: the password is replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
