import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

const isText = (bytes: Buffer) => !bytes.includes(0) && Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);

function readArg(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/**
 * The official CLI's file syntax: `@data://path` inlines a file as base64, `@file://path` as text,
 * and `@path` as text when it is UTF-8, else base64. `@@…` escapes a literal `@`.
 */
export function inlineFile(value: string): string {
  if (!value.startsWith('@')) return value;
  if (value.startsWith('@@')) return value.slice(1);
  if (value.startsWith('@data://')) return readArg(value.slice(8)).toString('base64');
  if (value.startsWith('@file://')) return readArg(value.slice(8)).toString('utf8');
  const bytes = readArg(value.slice(1));
  return isText(bytes) ? bytes.toString('utf8') : bytes.toString('base64');
}

export function jsonArg(flag: string, value: string): unknown {
  try {
    return JSON.parse(inlineFile(value));
  } catch {
    throw new UsageError(`${flag}: expected JSON, got '${value}'`);
  }
}

export function boolArg(flag: string, value: string | boolean | undefined): boolean {
  if (value === undefined || value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new UsageError(`${flag}: expected true or false, got '${value}'`);
}

export function intArg(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${flag}: expected an integer, got '${value}'`);
  return n;
}
