/** Admin answers as a terminal table: a list (`{data: [...]}`) as rows, one object as `field  value` lines. */
export function renderTable(body: unknown): string {
  const rows = (body as { data?: unknown })?.data;
  if (Array.isArray(rows)) return rows.length ? grid(rows.map((row) => flatten(row))) : '(none)\n';
  if (body && typeof body === 'object') {
    const flat = flatten(body);
    const width = Math.max(...Object.keys(flat).map((k) => k.length));
    return Object.entries(flat)
      .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
      .join('\n')
      .concat('\n');
  }
  return `${String(body)}\n`;
}

/** One level of nesting spelt `client.id`; arrays and null as short text. */
function flatten(value: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object' && !Array.isArray(v) && !prefix) Object.assign(out, flatten(v, name));
    else out[name] = v === null || v === undefined ? '-' : Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(',') : String(v);
  }
  return out;
}

function grid(rows: Record<string, string>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => r[c] ?? '-')))].join('\n').concat('\n');
}
