import { apiError, FAILURE_CODES, type FailureCode } from '../contract/index.js';

/**
 * What an emulator can be told to do to one submission (X-Atelier-Fault, a key's scenario or chaos):
 * fail asynchronously with a failure_code, answer with an HTTP error, take `ms` to finish,
 * stay processing until the stuck timeout, or answer 502 to the first `tries` attempts.
 */
export type Fault =
  | { kind: 'failure'; code: FailureCode }
  | { kind: 'http'; status: HttpFaultStatus }
  | { kind: 'latency'; ms: number }
  | { kind: 'stuck' }
  | { kind: 'flaky'; tries: number };

/** The statuses the API documents, each answered with its spec body (see http-fault.ts). */
export const HTTP_FAULT_STATUSES = [400, 401, 402, 403, 404, 413, 422, 429, 500, 502, 503] as const;
export type HttpFaultStatus = (typeof HTTP_FAULT_STATUSES)[number];

/** A day: longer waits are a typo, not a test. */
const MAX_LATENCY_MS = 86_400_000;
const MAX_FLAKY_TRIES = 100;

/** The fault a text names exactly, or null when it names none; text people type goes through readFault. */
export function parseFault(value: string): Fault | null {
  if ((FAILURE_CODES as readonly string[]).includes(value)) return { kind: 'failure', code: value as FailureCode };
  if (value === 'stuck') return { kind: 'stuck' };
  const match = /^(http|latency|flaky):(\d{1,9})$/.exec(value);
  if (!match) return null;
  const n = Number(match[2]);
  switch (match[1]) {
    case 'http':
      return (HTTP_FAULT_STATUSES as readonly number[]).includes(n) ? { kind: 'http', status: n as HttpFaultStatus } : null;
    case 'latency':
      return n <= MAX_LATENCY_MS ? { kind: 'latency', ms: n } : null;
    default:
      return n >= 1 && n <= MAX_FLAKY_TRIES ? { kind: 'flaky', tries: n } : null;
  }
}

/** The canonical text of a fault, as accepted by parseFault and used as its metric label. */
export function faultName(fault: Fault): string {
  switch (fault.kind) {
    case 'failure':
      return fault.code;
    case 'http':
      return `http:${fault.status}`;
    case 'latency':
      return `latency:${fault.ms}`;
    case 'stuck':
      return 'stuck';
    case 'flaky':
      return `flaky:${fault.tries}`;
  }
}

/** The grammar, for error messages and help texts. */
export const FAULT_GRAMMAR = `a failure_code, http:<status> (${HTTP_FAULT_STATUSES.join(', ')}), latency:<ms>, stuck or flaky:<n>`;

/**
 * Reads fault text as people give it (X-Atelier-Fault, a key's fault in the admin API,
 * ATELIER_KEY_FAULTS): space around it is ignored, and blank or `none` is no fault (null).
 * Text that names no fault is FAULT_INVALID, `field` saying where it was given.
 */
export function readFault(text: string, field: string): Fault | null {
  const value = text.trim();
  if (value === '' || value === 'none') return null;
  const fault = parseFault(value);
  if (!fault) throw apiError('FAULT_INVALID', { field, value: value.slice(0, 100), grammar: FAULT_GRAMMAR });
  return fault;
}

/** The metric label: one per kind of fault, never one per millisecond value. */
export function faultLabel(fault: Fault): string {
  return fault.kind === 'latency' ? 'latency' : fault.kind === 'flaky' ? 'flaky' : faultName(fault);
}
