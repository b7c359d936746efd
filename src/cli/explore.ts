import { emitKeypressEvents } from 'node:readline';
import { JsonTree } from './json-tree.js';

const HELP = '↑↓/jk move  →/l open  ←/h close  enter/space toggle  q quit';

/** `--format explore`: browse a value as a tree on the terminal (alternate screen) until the user quits. */
export function explore(value: unknown, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<void> {
  const tree = new JsonTree(value);
  const draw = () => {
    const [width, height] = [output.columns || 80, output.rows || 24];
    output.write(`\x1b[H\x1b[2J${tree.view(height - 1, width).join('\n')}\n\x1b[2m${HELP.slice(0, width)}\x1b[0m`);
  };
  emitKeypressEvents(input);
  input.setRawMode(true);
  output.write('\x1b[?1049h\x1b[?25l');
  return new Promise((resolve) => {
    const onKey = (_: string | undefined, key: { name?: string; ctrl?: boolean } = {}) => {
      if (tree.press(key.ctrl && key.name === 'c' ? 'q' : (key.name ?? ''))) return draw();
      input.off('keypress', onKey);
      output.off('resize', draw);
      input.setRawMode(false);
      input.pause();
      output.write('\x1b[?25h\x1b[?1049l');
      resolve();
    };
    input.on('keypress', onKey);
    output.on('resize', draw);
    input.resume();
    draw();
  });
}
