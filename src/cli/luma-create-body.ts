import { Option, type Command } from 'commander';
import { boolArg, inlineFile, intArg, jsonArg } from './flag-values.js';
import { UsageError } from './usage-error.js';

type Json = Record<string, unknown>;

const REF_FIELDS = ['url', 'data', 'media-type', 'generation-id', 'file-id'] as const;
/** A ref holds exactly one of these, so a second one starts the next ref. */
const REF_SOURCES = new Set(['url', 'data', 'generation_id', 'file_id']);
const snake = (flag: string) => flag.replace(/-/g, '_');

/**
 * Assembles the body of `generations create` from the official CLI's flags, in the order given:
 * `--image-ref.url a --image-ref.data b` makes two refs, since a field that repeats, or a second
 * url/data/generation-id/file-id, starts a new item.
 */
export class CreateBody {
  private readonly body: Json = {};

  set(path: string[], value: unknown): void {
    let node = this.body;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Json;
    node[path[path.length - 1]!] = value;
  }

  /** Sets one field of the last item of an array, or of a new item when the last already has it. */
  setInItem(path: string[], field: string, value: unknown): void {
    const items = this.array(path);
    let last = items[items.length - 1] as Json | undefined;
    const taken = last && (field in last || (REF_SOURCES.has(field) && Object.keys(last).some((k) => REF_SOURCES.has(k))));
    if (!last || taken) items.push((last = {}));
    last[field] = value;
  }

  push(path: string[], value: unknown): void {
    const items = this.array(path);
    if (Array.isArray(value)) items.push(...value);
    else items.push(value);
  }

  private array(path: string[]): unknown[] {
    let node = this.body;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Json;
    const key = path[path.length - 1]!;
    if (node[key] !== undefined && !Array.isArray(node[key])) throw new UsageError(`--${path.join('.')} was given both as a whole and item by item`);
    return (node[key] ??= []) as unknown[];
  }

  /** The body, with booleans given without a value (commander doesn't call parsers for them). */
  build(options: Record<string, unknown>, booleans: [string[], string][]): Json {
    for (const [path, attribute] of booleans) {
      if (options[attribute] === true) this.set(path, true);
    }
    return this.body;
  }
}

/** Declares every `generations create` flag of luma-agents-cli on `command`, feeding `body`. */
export function createFlags(command: Command, body: CreateBody): [string[], string][] {
  const booleans: [string[], string][] = [];
  const str = (flag: string, path: string[], description?: string) =>
    command.option(`--${flag} <value>`, description ?? '', (v: string) => (body.set(path, inlineFile(v)), v));
  const json = (flag: string, path: string[], description?: string) =>
    command.option(`--${flag} <json>`, description ?? '', (v: string) => (body.set(path, jsonArg(`--${flag}`, v)), v));
  const bool = (flag: string, path: string[], attribute: string) => {
    booleans.push([path, attribute]);
    command.option(`--${flag} [bool]`, '', (v: string) => (body.set(path, boolArg(`--${flag}`, v)), v));
  };
  const ref = (flag: string, path: string[], repeatable: boolean) => {
    if (repeatable) command.option(`--${flag} <json>`, 'repeatable', (v: string) => (body.push(path, jsonArg(`--${flag}`, v)), v));
    else json(flag, path);
    for (const field of REF_FIELDS) {
      command.option(`--${flag}.${field} <value>`, '', (v: string) => {
        if (repeatable) body.setInItem(path, snake(field), inlineFile(v));
        else body.set([...path, snake(field)], inlineFile(v));
        return v;
      });
    }
  };

  command.addOption(new Option('--prompt <text>', 'text prompt').argParser((v) => (body.set(['prompt'], inlineFile(v)), v)));
  str('aspect-ratio', ['aspect_ratio']);
  str('model', ['model']);
  str('output-format', ['output_format']);
  str('style', ['style']);
  str('type', ['type']);
  str('user-id', ['user_id']);
  bool('web-search', ['web_search'], 'webSearch');
  ref('image-ref', ['image_ref'], true);
  ref('source', ['source'], false);

  json('layering', ['layering']);
  str('layering.resolution', ['layering', 'resolution']);

  json('video', ['video']);
  str('video.duration', ['video', 'duration']);
  str('video.resolution', ['video', 'resolution']);
  for (const flag of ['loop', 'hdr', 'exr-export']) bool(`video.${flag}`, ['video', snake(flag)], `video.${flag.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}`);
  for (const flag of ['start-frame', 'end-frame', 'guide-frame', 'source-position', 'edit']) json(`video.${flag}`, ['video', snake(flag)]);
  command.option('--video.keyframes <json>', 'repeatable', (v: string) => (body.push(['video', 'keyframes'], jsonArg('--video.keyframes', v)), v));
  command.option('--video.keyframe-indexes <n>', 'repeatable, or a comma list', (v: string) => {
    const list = v.trim().startsWith('[') ? (jsonArg('--video.keyframe-indexes', v) as unknown[]) : v.split(',').map((n) => intArg('--video.keyframe-indexes', n.trim()));
    body.push(['video', 'keyframe_indexes'], list);
    return v;
  });
  return booleans;
}
