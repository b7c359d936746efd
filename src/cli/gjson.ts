/**
 * GJSON paths (github.com/tidwall/gjson, SYNTAX.md) evaluated over parsed JSON, for `--transform`.
 * `undefined` means the path matched nothing; JSON `null` is a match.
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const defined = (value: unknown) => value !== undefined;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}

function flatten(items: unknown[], deep: boolean): unknown[] {
  return items.flatMap((item) => (Array.isArray(item) ? (deep ? flatten(item, true) : item) : [item]));
}

const option = (arg: unknown, name: string) => isObject(arg) && arg[name] === true;

/** `@pretty` and `@ugly` only change whitespace, which the output format decides here. */
const MODIFIERS: Record<string, (value: unknown, arg: unknown) => unknown> = {
  this: (value) => value,
  reverse: (value) =>
    Array.isArray(value) ? [...value].reverse() : isObject(value) ? Object.fromEntries(Object.entries(value).reverse()) : value,
  keys: (value) => (isObject(value) ? Object.keys(value) : Array.isArray(value) ? value.map(() => null) : [null]),
  values: (value) => (isObject(value) ? Object.values(value) : Array.isArray(value) ? value : [value]),
  flatten: (value, arg) => (Array.isArray(value) ? flatten(value, option(arg, 'deep')) : value),
  join: (value) => (Array.isArray(value) ? Object.assign({}, ...value.filter(isObject)) : value),
  pretty: (value, arg) => (option(arg, 'sortKeys') ? sortKeys(value) : value),
  ugly: (value) => value,
};

/** Index just past the string whose opening quote is at `at`. */
function stringEnd(path: string, at: number): number {
  let i = at + 1;
  while (i < path.length && path[i] !== '"') i += path[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Indexes of the `stops` characters outside brackets, strings and `\` escapes. */
function topLevel(path: string, stops: string): number[] {
  const found: number[] = [];
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\') i++;
    else if (c === '"') i = stringEnd(path, i) - 1;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && stops.includes(c)) found.push(i);
  }
  return found;
}

/** Index of the bracket closing the one at `open`, or -1. */
function closing(path: string, open: number): number {
  let depth = 0;
  for (let i = open; i < path.length; i++) {
    const c = path[i]!;
    if (c === '\\') i++;
    else if (c === '"') i = stringEnd(path, i) - 1;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return i;
  }
  return -1;
}

/** `a|b` → ['a', 'b']; without a top-level pipe → [path]. */
function splitPipe(path: string): [string, string?] {
  const at = topLevel(path, '|')[0];
  return at === undefined ? [path] : [path.slice(0, at), path.slice(at + 1)];
}

/** Applies the rest of a path (`.x`, `|x` or nothing) to a value. */
function then(value: unknown, rest: string): unknown {
  if (value === undefined || rest === '') return value;
  return rest[0] === '.' || rest[0] === '|' ? get(value, rest.slice(1)) : undefined;
}

/** `*` matches any run of characters, `?` any one; `\` escapes. */
function like(text: string, pattern: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else source += (c === '\\' && i + 1 < pattern.length ? pattern[++i]! : c).replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su').test(text);
}

function compare(value: unknown, op: string, target: string): boolean {
  if (typeof value === 'string') {
    if (op === '%') return like(value, target);
    if (op === '!%') return !like(value, target);
    return order(value, target, op);
  }
  if (typeof value === 'number') return order(value, Number(target) || 0, op);
  // GJSON's table for booleans: false < true.
  if (value === true) return op === '=' ? target === 'true' : op === '!=' ? target !== 'true' : op === '>' ? target === 'false' : op === '>=';
  if (value === false) return op === '=' ? target === 'false' : op === '!=' ? target !== 'false' : op === '<' ? target === 'true' : op === '<=';
  return false;
}

function order<T extends string | number>(a: T, b: T, op: string): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return false;
  }
}

const OPERATORS = ['==', '!=', '<=', '>=', '!%', '=', '<', '>', '%'];

/** The test of `#(path op value)`; without an operator, the path only has to exist. */
function predicate(query: string): (item: unknown) => boolean {
  const at = topLevel(query, '!=<>%')[0] ?? -1;
  const path = (at < 0 ? query : query.slice(0, at)).trim();
  const tail = at < 0 ? '' : query.slice(at);
  const op = OPERATORS.find((o) => tail.startsWith(o)) ?? '';
  let target = tail.slice(op.length).trim();
  if (target.length >= 2 && target.startsWith('"') && target.endsWith('"')) target = String(parseJson(target) ?? target.slice(1, -1));
  const normalOp = op === '==' ? '=' : op;
  return (item) => {
    const value = path === '' ? item : get(item, path);
    if (value === undefined) return false;
    return normalOp === '' || compare(value, normalOp, target);
  };
}

function query(value: unknown, path: string): unknown {
  const end = closing(path, 1);
  if (end < 0 || !Array.isArray(value)) return undefined;
  const matches = value.filter(predicate(path.slice(2, end)));
  if (path[end + 1] !== '#') return then(matches[0], path.slice(end + 1));
  const rest = path.slice(end + 2);
  return rest[0] === '.' ? each(matches, rest.slice(1)) : then(matches, rest);
}

/** `#.a.b|c`: `a.b` on every item (keeping those that match), then `c` on the array. */
function each(items: unknown[], path: string): unknown {
  const [perItem, after] = splitPipe(path);
  const mapped = items.map((item) => get(item, perItem)).filter(defined);
  return after === undefined ? mapped : get(mapped, after);
}

function modifier(value: unknown, path: string): { result: unknown; rest: string } | undefined {
  let i = 1;
  while (i < path.length && !'.|:'.includes(path[i]!)) i++;
  const name = path.slice(1, i);
  if (!Object.hasOwn(MODIFIERS, name)) return undefined;
  let rest = path.slice(i);
  let arg: unknown;
  if (rest[0] === ':') {
    rest = rest.slice(1);
    const end = rest[0] === '"' ? stringEnd(rest, 0) : rest[0] === '{' || rest[0] === '[' ? closing(rest, 0) + 1 : 0;
    arg = end > 0 ? parseJson(rest.slice(0, end)) : undefined;
    if (arg === undefined) {
      // Not JSON: the argument is plain text up to the next pipe.
      const stop = topLevel(rest, '|')[0] ?? rest.length;
      arg = rest.slice(0, stop);
      rest = rest.slice(stop);
    } else {
      rest = rest.slice(end);
    }
  }
  return { result: MODIFIERS[name]!(value, arg), rest };
}

/** The name GJSON gives an unnamed multipath member: its last component, or `_` when that isn't a plain key. */
function memberName(path: string): string {
  const stops = topLevel(path, '.|');
  const last = path.slice((stops[stops.length - 1] ?? -1) + 1);
  return /[[\]{}()#|!]/.test(last) ? '_' : last;
}

function multipath(value: unknown, inner: string, kind: string): unknown {
  const members: [string, unknown][] = [];
  let start = 0;
  for (const end of [...topLevel(inner, ','), inner.length]) {
    const member = inner.slice(start, end);
    start = end + 1;
    // A colon in a modifier's argument names nothing.
    const modifier = member.search(/[.|]@/);
    const colon = topLevel(member, ':').find((i) => modifier < 0 || i < modifier);
    const path = colon === undefined ? member : member.slice(colon + 1);
    const result = get(value, path);
    if (result === undefined) continue;
    const name = colon === undefined ? memberName(path) : member.slice(0, colon);
    const quoted = name.startsWith('"') ? parseJson(name) : undefined;
    members.push([typeof quoted === 'string' ? quoted : name, result]);
  }
  return kind === '[' ? members.map(([, result]) => result) : Object.fromEntries(members);
}

function key(value: unknown, path: string): unknown {
  let name = '';
  let pattern = '';
  let wild = false;
  let i = 0;
  for (; i < path.length && path[i] !== '.' && path[i] !== '|'; i++) {
    if (path[i] === '\\' && i + 1 < path.length) {
      name += path[++i];
      pattern += `\\${path[i]}`;
    } else {
      wild ||= path[i] === '*' || path[i] === '?';
      name += path[i];
      pattern += path[i];
    }
  }
  const rest = path.slice(i);
  if (Array.isArray(value)) return /^\d+$/.test(name) ? then(value[Number(name)], rest) : undefined;
  if (!isObject(value)) return undefined;
  if (!wild) return Object.hasOwn(value, name) ? then(value[name], rest) : undefined;
  for (const candidate of Object.keys(value).filter((k) => like(k, pattern))) {
    const result = then(value[candidate], rest);
    // After `|` only the first matching key counts; after `.` the next one is tried.
    if (result !== undefined || rest[0] === '|') return result;
  }
  return undefined;
}

/** The value at a GJSON path, or `undefined` when nothing matches. */
export function get(value: unknown, path: string): unknown {
  if (path === '' || value === undefined) return undefined;
  if (path[0] === '@') {
    const applied = modifier(value, path);
    if (applied) return then(applied.result, applied.rest);
  }
  if (path[0] === '[' || path[0] === '{') {
    const end = closing(path, 0);
    const rest = path.slice(end + 1);
    if (end > 0 && (rest === '' || rest[0] === '.' || rest[0] === '|')) return then(multipath(value, path.slice(1, end), path[0]), rest);
  }
  if (Array.isArray(value) && path[0] === '#') {
    if (path[1] === '(' || path[1] === '[') return query(value, path);
    if (path[1] === '.') return each(value, path.slice(2));
    if (path.length === 1 || path[1] === '|') return then(value.length, path.slice(1));
  }
  return key(value, path);
}
