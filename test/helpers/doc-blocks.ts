import fs from 'node:fs';
import path from 'node:path';

/**
 * A fenced code block of a Markdown document, with the `<!-- docs-test: … -->` marker on the line
 * before its fence, if any:
 *   `<!-- docs-test: skip (why) -->`        the block is not run (say why: needs Docker, PyPI …);
 *   `<!-- docs-test: server <url> -->`      the block starts a server: it runs in the background until
 *                                           the next server block or the end, and the blocks after it
 *                                           wait for `<url>/healthz`;
 *   `<!-- docs-test: file <name> -->`       the block is saved as <name> in the current directory, as the
 *                                           text before it asks the reader to.
 */
export interface DocBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  marker: { kind: 'skip'; reason: string } | { kind: 'server'; url: string } | { kind: 'file'; name: string } | null;
}

const MARKER = /^<!--\s*docs-test:\s*(skip|server|file)\b\s*(.*?)\s*-->\s*$/;

export function readDocBlocks(root: string, file: string): DocBlock[] {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const marked = MARKER.exec(lines[i - 1] ?? '');
    let marker: DocBlock['marker'] = null;
    if (marked?.[1] === 'skip') {
      const reason = marked[2]!.replace(/^\((.*)\)$/, '$1');
      if (!reason) throw new Error(`${file}:${i}: a skipped block says why: <!-- docs-test: skip (why) -->`);
      marker = { kind: 'skip', reason };
    } else if (marked?.[1] === 'server') {
      if (!/^https?:\/\/\S+$/.test(marked[2]!)) throw new Error(`${file}:${i}: <!-- docs-test: server <url> --> needs the server's URL`);
      marker = { kind: 'server', url: marked[2]! };
    } else if (marked?.[1] === 'file') {
      if (!/^[\w.-]+$/.test(marked[2]!)) throw new Error(`${file}:${i}: <!-- docs-test: file <name> --> needs a file name`);
      marker = { kind: 'file', name: marked[2]! };
    } else if (/docs-test/.test(lines[i - 1] ?? '')) {
      throw new Error(`${file}:${i}: unknown docs-test marker: ${lines[i - 1]}`);
    }
    blocks.push({ file, line: i + 1, lang: open[1]!, text: lines.slice(i + 1, end).join('\n'), marker });
    i = end;
  }
  return blocks;
}

const SHELLS = new Set(['sh', 'bash', 'shell']);
export const isShell = (block: DocBlock): boolean => SHELLS.has(block.lang);

/**
 * One bash script that runs a document's shell blocks in order, as a reader typing them into one
 * terminal would (variables and `cd` carry over); server blocks run in their own process group in
 * the background, and the whole run stops every server it started on exit.
 */
export function docScript(blocks: DocBlock[], scratch: string): string {
  const out = [
    'set -eo pipefail',
    `__pids=${JSON.stringify(path.join(scratch, 'server-pids'))}`,
    '__where=start',
    '__stop() { if [ -n "${__server:-}" ]; then kill -TERM -- "-$__server" 2>/dev/null || true; while kill -0 -- "-$__server" 2>/dev/null; do sleep 0.1; done; __server=; fi; }',
    'trap \'__code=$?; __stop; if [ $__code -ne 0 ]; then echo "docs-test: failed in the block at $__where (exit $__code)" >&2; fi\' EXIT',
    '__healthy() { for __i in $(seq 1 600); do if curl -fs "$1/healthz" >/dev/null 2>&1; then return 0; fi; if ! kill -0 "$__server" 2>/dev/null; then echo "docs-test: the server of $__where exited:" >&2; cat "$2" >&2; return 1; fi; sleep 0.1; done; echo "docs-test: $1 not healthy after 60 s" >&2; cat "$2" >&2; return 1; }',
  ];
  blocks.forEach((block, n) => {
    const where = `${block.file}:${block.line}`;
    if (block.marker?.kind === 'file') {
      const file = path.join(scratch, `file-${n}`);
      fs.writeFileSync(file, `${block.text}\n`);
      out.push(`__where=${JSON.stringify(where)}`, `cp ${JSON.stringify(file)} ${JSON.stringify(block.marker.name)}`);
      return;
    }
    if (!isShell(block) || block.marker?.kind === 'skip') return;
    out.push(`__where=${JSON.stringify(where)}`, `echo "### ${where}" >&2`);
    if (block.marker?.kind === 'server') {
      const file = path.join(scratch, `server-${n}.sh`);
      const log = path.join(scratch, `server-${n}.log`);
      fs.writeFileSync(file, `${block.text}\n`);
      out.push('__stop', `setsid bash ${JSON.stringify(file)} >${JSON.stringify(log)} 2>&1 &`, '__server=$!', 'echo "$__server" >>"$__pids"');
      out.push(`__healthy ${JSON.stringify(block.marker.url)} ${JSON.stringify(log)}`);
    } else {
      out.push(block.text);
    }
  });
  out.push('__where=end');
  return `${out.join('\n')}\n`;
}
