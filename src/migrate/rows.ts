/** A row as both databases hand it back: numbers (bigint included), strings and nulls. */
export type Row = Record<string, unknown>;

/** The row's primary key as one printable value, e.g. `id=0193…` or `client_id=…, day=20061`. */
export function keyOf(row: Row, key: readonly string[]): string {
  return key.map((k) => `${k}=${String(row[k])}`).join(', ');
}

/** The columns whose values differ; values are compared as stored, never printed (some are secrets). */
export function differingColumns(source: Row, target: Row, columns: readonly string[]): string[] {
  return columns.filter((c) => normalise(source[c]) !== normalise(target[c]));
}

const normalise = (value: unknown) => (value === undefined ? null : typeof value === 'bigint' ? Number(value) : value);
