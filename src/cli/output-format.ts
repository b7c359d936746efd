import { stringify } from 'yaml';

export const FORMATS = ['auto', 'json', 'jsonl', 'pretty', 'raw', 'yaml'] as const;
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

/** Renders a response the way `luma-agents-cli --format` does; `auto` is pretty on a terminal, JSON otherwise. */
export function render(value: unknown, format: Format, tty: boolean): string {
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
