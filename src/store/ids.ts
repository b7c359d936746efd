import { randomUUID } from 'node:crypto';

/**
 * A UUIDv7 (RFC 9562): 48 bits of milliseconds, then randomness. Ids made later sort later,
 * so inserts append to the right edge of every index instead of touching random pages.
 * The random part comes from randomUUID, which draws from a buffered pool.
 */
export function timeOrderedId(now: number): string {
  const ms = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
