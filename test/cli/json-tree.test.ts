import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonTree } from '../../src/cli/json-tree.js';

const generation = { id: 'g1', state: 'completed', output: [{ url: 'https://cdn.example/a.png' }], failure_code: null };

const press = (tree: JsonTree, ...keys: string[]) => keys.forEach((key) => assert.equal(tree.press(key), true, key));

test('the explorer starts with the root open and everything below it closed', () => {
  assert.deepEqual(new JsonTree(generation).lines(), [
    '>▾ {4 keys}',
    '     "id": "g1"',
    '     "state": "completed"',
    '   ▸ "output": [1 item]',
    '     "failure_code": null',
  ]);
  assert.deepEqual(new JsonTree('text').lines(), ['>  "text"']);
});

test('arrows and j/k move the cursor; right and enter open, left closes or goes to the parent; q quits', () => {
  const tree = new JsonTree(generation);
  press(tree, 'down', 'j', 'j', 'k', 'down', 'down', 'down');
  assert.equal(tree.lines()[4], '>    "failure_code": null', 'the cursor stops at the last line');
  press(tree, 'up', 'right');
  assert.deepEqual(tree.lines().slice(3), ['>  ▾ "output": [1 item]', '     ▸ 0: {1 key}', '     "failure_code": null']);
  press(tree, 'right', 'return');
  assert.deepEqual(tree.lines().slice(3, 6), ['   ▾ "output": [1 item]', '>    ▾ 0: {1 key}', '         "url": "https://cdn.example/a.png"']);
  press(tree, 'down', 'left');
  assert.equal(tree.lines()[4], '>    ▾ 0: {1 key}', 'left on a value goes to its parent');
  press(tree, 'space');
  assert.deepEqual(tree.lines().slice(4), ['>    ▸ 0: {1 key}', '     "failure_code": null'], 'space toggles');
  press(tree, 'h', 'h');
  assert.deepEqual(tree.lines().slice(3), ['>  ▸ "output": [1 item]', '     "failure_code": null']);
  assert.equal(tree.press('q'), false);
  assert.equal(tree.press('escape'), false);
});

test('view scrolls to keep the cursor in sight, truncates to the width and shows the cursor in reverse video', () => {
  const tree = new JsonTree({ list: Array.from({ length: 10 }, (_, i) => `item ${i} with a long text`) });
  press(tree, 'down', 'right');
  assert.deepEqual(tree.view(3, 20), [' ▾ {1 key}', '\x1b[7m>  ▾ "list": [10 it…\x1b[0m', '       0: "item 0 w…']);
  press(tree, ...Array<string>(10).fill('down'));
  assert.deepEqual(tree.view(3, 40), ['       7: "item 7 with a long text"', '       8: "item 8 with a long text"', '\x1b[7m>      9: "item 9 with a long text"\x1b[0m']);
  press(tree, 'left', 'left');
  assert.deepEqual(tree.view(3, 40), [' ▾ {1 key}', '\x1b[7m>  ▸ "list": [10 items]\x1b[0m'], 'closing the list scrolls back up');
});
