import { stringify } from 'yaml';
import { explore } from './explore.js';
import { get } from './gjson.js';

export const FORMATS = ['auto', 'explore', 'json', 'jsonl', 'pretty', 'raw', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

const COLOURS = { key: 36, string: 32, number: 33, literal: 35 } as const;

function colourJson(value: unknown): string {
  const paint = (code: number, text: string) => `\x1b[${code}m${text}\x1b[0m`;
  return JSON.stringify(value, null, 2).replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g,
    (match, str: string | undefined, colon: string | undefined, literal: string | undefined) => {
      if (str) return colon ? paint(COLOURS.key, str) + colon : paint(COLOURS.string, str);
      return paint(literal ? COLOURS.literal : COLOURS.number, match);
    },
  );
}

/**
 * Renders a response the way `luma-agents-cli --format` does; `auto` is pretty on a terminal, JSON
 * otherwise, and `explore` (interactive) is JSON when it can't run.
 */
function render(value: unknown, format: Format, tty: boolean): string {
  switch (format === 'auto' ? (tty ? 'pretty' : 'json') : format) {
    case 'jsonl':
    case 'raw':
      return `${JSON.stringify(value)}\n`;
    case 'yaml':
      return stringify(value);
    case 'pretty':
      return `${tty ? colourJson(value) : JSON.stringify(value, null, 2)}\n`;
    default:
      return `${JSON.stringify(value, null, 2)}\n`;
  }
}

export interface ShowOptions {
  format: Format;
  /** A GJSON path; when it matches nothing the whole value is shown, as the official CLI does. */
  transform?: string;
  /** Print a string result without JSON quotes, like `jq -r`. */
  rawOutput?: boolean;
}

const EXPLORE_FALLBACK = "Warning: Output format 'explore' not supported for non-terminal output; falling back to 'json'\n";

/** Prints a response (or an error body) as `--format`, `--transform` and `--raw-output` ask. */
export async function show(value: unknown, options: ShowOptions, out: NodeJS.WriteStream): Promise<void> {
  const selected = options.transform ? get(value, options.transform) : undefined;
  const shown = selected === undefined ? value : selected;
  if (options.format === 'explore') {
    if (out.isTTY && process.stdin.isTTY) return explore(shown, process.stdin, out);
    process.stderr.write(EXPLORE_FALLBACK);
  }
  out.write(options.rawOutput && typeof shown === 'string' ? `${shown}\n` : render(shown, options.format, Boolean(out.isTTY)));
}
