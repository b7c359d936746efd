import { apiError } from '../contract/index.js';
import { usage, type Store } from '../store/index.js';
import type { UsageGroup, UsageRow } from '../store/usage.js';
import { formatUsd } from './pricing.js';

const DAY_MS = 86_400_000;
export interface UsageQuery {
  start?: string;
  end?: string;
  group_by?: string;
  user_id?: string;
  cursor?: string;
  limit?: string;
}

/** Years 0000 to 9999: the dates an ISO 8601 string of four-digit years can name, and date arithmetic stays valid. */
const EARLIEST = Date.parse('0000-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function instant(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw apiError('FIELD_INVALID', { path: name, reason: 'must be an ISO 8601 date or date-time' });
  if (ms < EARLIEST || ms > LATEST) throw apiError('FIELD_INVALID', { path: name, reason: 'must be between 0000-01-01 and 9999-12-31' });
  return ms;
}

const decodeCursor = (cursor: string) => {
  try {
    return Buffer.from(cursor, 'base64url').toString('utf8');
  } catch {
    throw apiError('FIELD_INVALID', { path: 'cursor', reason: 'is not a cursor this server issued' });
  }
};

function groupKey(group: UsageGroup, key: string): string | null {
  if (group === 'day') return new Date(Number(key) * DAY_MS).toISOString().slice(0, 10);
  return group === 'user_id' && key === '' ? null : key;
}

function view(row: UsageRow, groups: readonly UsageGroup[] = []) {
  const keys = [row.key, row.subkey ?? ''];
  return {
    ...Object.fromEntries(groups.map((group, i) => [group, groupKey(group, keys[i])])),
    generations: row.generations,
    by_state: { queued: row.queued, processing: row.processing, completed: row.completed, failed: row.failed },
    cost_micros: row.cost_micros,
    cost_usd: formatUsd(row.cost_micros).slice(1),
  };
}

/** `group_by`: one group, or two joined by a comma (`day,model`: one row per day and model). */
function readGroups(value: string | undefined): UsageGroup[] {
  if (value === undefined) return [];
  const groups = String(value).split(',') as UsageGroup[]; // a repeated parameter arrives as an array
  const known = groups.every((g) => usage.USAGE_GROUPS.includes(g));
  if (!known || groups.length > 2 || new Set(groups).size !== groups.length) {
    throw apiError('FIELD_INVALID', { path: 'group_by', reason: `must be one of: ${usage.USAGE_GROUPS.join(', ')}, or two of them joined by a comma (day,model)` });
  }
  return groups;
}

const encodeCursor = (keys: string[]) => Buffer.from(keys.length === 1 ? keys[0] : JSON.stringify(keys)).toString('base64url');

function readCursor(cursor: string, groups: readonly UsageGroup[]): string | [string, string] {
  const text = decodeCursor(cursor);
  if (groups.length === 1) return text;
  try {
    const keys = JSON.parse(text) as unknown;
    if (Array.isArray(keys) && keys.length === 2 && keys.every((k) => typeof k === 'string')) return keys as [string, string];
  } catch {
    /* not a pair */
  }
  throw apiError('FIELD_INVALID', { path: 'cursor', reason: 'is not a cursor this server issued' });
}

/** `GET /v1/usage`: the caller's own usage over a time range, in total and per group (keyset-paginated). */
export async function clientUsage(store: Store, clientId: string, query: UsageQuery, now: number) {
  const end = instant(query.end, 'end', now);
  const start = instant(query.start, 'start', Math.max(EARLIEST, end - 30 * DAY_MS));
  if (start >= end) throw apiError('FIELD_INVALID', { path: 'start', reason: 'must be before end' });
  const groups = readGroups(query.group_by);
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw apiError('FIELD_INVALID', { path: 'limit', reason: 'must be an integer from 1 to 1000' });

  const base = { clientId, start, end, userId: query.user_id };
  const [totals] = await usage.usageRows(store.db, base);
  const body = {
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    user_id: query.user_id ?? null,
    totals: view(totals),
    group_by: groups.length ? groups.join(',') : null,
    data: [] as object[],
    has_more: false,
    next_cursor: null as string | null,
  };
  if (!groups.length) return body;
  const after = query.cursor ? readCursor(query.cursor, groups) : undefined;
  const groupBy = groups.length === 1 ? groups[0] : (groups as [UsageGroup, UsageGroup]);
  const rows = await usage.usageRows(store.db, { ...base, groupBy, after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  body.data = page.map((r) => view(r, groups));
  body.has_more = rows.length > limit;
  const last = page[page.length - 1];
  body.next_cursor = body.has_more ? encodeCursor(groups.length === 1 ? [last.key] : [last.key, last.subkey!]) : null;
  return body;
}
