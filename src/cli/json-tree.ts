/** One line of the tree: a value under its key, with its children when it is an object or array. */
interface TreeNode {
  label: string;
  value: unknown;
  depth: number;
  parent?: TreeNode;
  children?: TreeNode[];
  open: boolean;
}

function node(label: string, value: unknown, depth: number, parent?: TreeNode): TreeNode {
  const self: TreeNode = { label, value, depth, parent, open: depth === 0 };
  if (typeof value === 'object' && value !== null) {
    const entries = Array.isArray(value) ? value.map((item, i) => [String(i), item] as const) : Object.entries(value);
    self.children = entries.map(([key, item]) => node(Array.isArray(value) ? key : JSON.stringify(key), item, depth + 1, self));
  }
  return self;
}

function summary(n: TreeNode): string {
  if (!n.children) return JSON.stringify(n.value);
  const count = n.children.length;
  return Array.isArray(n.value) ? `[${count} ${count === 1 ? 'item' : 'items'}]` : `{${count} ${count === 1 ? 'key' : 'keys'}}`;
}

/**
 * The model behind `--format explore`: a JSON value as a tree of lines with a cursor, where objects
 * and arrays open and close. The root starts open, everything below it closed.
 */
export class JsonTree {
  private readonly root: TreeNode;
  private cursor = 0;
  private top = 0;

  constructor(value: unknown) {
    this.root = node('', value, 0);
  }

  private visible(): TreeNode[] {
    const out: TreeNode[] = [];
    const walk = (n: TreeNode) => {
      out.push(n);
      if (n.open) n.children?.forEach(walk);
    };
    walk(this.root);
    return out;
  }

  /** Applies a key (a `readline` keypress name); false when the key quits. */
  press(key: string): boolean {
    const lines = this.visible();
    const current = lines[this.cursor]!;
    switch (key) {
      case 'up':
      case 'k':
        this.cursor = Math.max(0, this.cursor - 1);
        break;
      case 'down':
      case 'j':
        this.cursor = Math.min(lines.length - 1, this.cursor + 1);
        break;
      case 'right':
      case 'l':
        if (current.children && !current.open) current.open = true;
        else if (current.children?.length) this.cursor++;
        break;
      case 'left':
      case 'h':
        if (current.open) current.open = false;
        else if (current.parent) this.cursor = lines.indexOf(current.parent);
        break;
      case 'return':
      case 'space':
        if (current.children) current.open = !current.open;
        break;
      case 'q':
      case 'escape':
        return false;
    }
    return true;
  }

  /** Every visible line; the cursor's line starts with `>`. */
  lines(): string[] {
    return this.visible().map((n, i) => {
      const marker = n.children ? (n.open ? '▾ ' : '▸ ') : '  ';
      const label = n.depth === 0 ? '' : `${n.label}: `;
      return `${i === this.cursor ? '>' : ' '}${'  '.repeat(n.depth)}${marker}${label}${summary(n)}`;
    });
  }

  /** The lines that fit in `height` × `width`, scrolled to keep the cursor in view; the cursor's line in reverse video. */
  view(height: number, width: number): string[] {
    const rows = Math.max(1, height);
    const lines = this.lines();
    this.top = Math.min(Math.max(this.top, this.cursor - rows + 1), this.cursor, Math.max(0, lines.length - rows));
    return lines
      .slice(this.top, this.top + rows)
      .map((line, i) => {
        const text = line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line;
        return this.top + i === this.cursor ? `\x1b[7m${text}\x1b[0m` : text;
      });
  }
}
