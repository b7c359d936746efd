import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get } from '../../src/cli/gjson.js';

// The example document of GJSON's SYNTAX.md; the first rows are that page's own examples.
const doc = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
};
const [dale, , jane] = doc.friends;

const SYNTAX: [string, unknown][] = [
  ['name.last', 'Anderson'],
  ['age', 37],
  ['children', ['Sara', 'Alex', 'Jack']],
  ['children.0', 'Sara'],
  ['friends.1.first', 'Roger'],
  ['child*.2', 'Jack'],
  ['c?ildren.0', 'Sara'],
  ['fav\\.movie', 'Deer Hunter'],
  ['friends.#', 3],
  ['friends.#.age', [44, 68, 47]],
  ['friends.#(last=="Murphy").first', 'Dale'],
  ['friends.#(last=="Murphy")#.first', ['Dale', 'Jane']],
  ['friends.#(age>45)#.last', ['Craig', 'Murphy']],
  ['friends.#(first%"D*").last', 'Murphy'],
  ['friends.#(first!%"D*").last', 'Craig'],
  ['children.#(!%"*a*")', 'Alex'],
  ['children.#(%"*a*")#', ['Sara', 'Jack']],
  ['friends.#(nets.#(=="fb"))#.first', ['Dale', 'Roger']],
  ['friends|0.first', 'Dale'],
  ['friends.0|first', 'Dale'],
  ['friends|#', 3],
  ['friends.#(last="Murphy")#', [dale, jane]],
  ['friends.#(last="Murphy")#|first', undefined],
  ['friends.#(last="Murphy")#.0', []],
  ['friends.#(last="Murphy")#|0', dale],
  ['friends.#(last="Murphy")#.#', []],
  ['friends.#(last="Murphy")#|#', 2],
  ['children.@reverse', ['Jack', 'Alex', 'Sara']],
  ['children.@reverse.0', 'Jack'],
  ['{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}', { first: 'Tom', age: 37, the_murphys: ['Dale', 'Jane'] }],
];

const MORE: [string, unknown][] = [
  // Misses are undefined, and so are indexes and keys on the wrong kind of value.
  ['missing', undefined],
  ['name.first.x', undefined],
  ['children.3', undefined],
  ['children.first', undefined],
  ['age.0', undefined],
  ['', undefined],
  // Comparisons: numbers numerically, strings lexically, != and <=, an unquoted value.
  ['friends.#(age<=44)#.first', ['Dale']],
  ['friends.#(age!=44)#.first', ['Roger', 'Jane']],
  ['friends.#(last>"D")#.first', ['Dale', 'Jane']],
  ['friends.#(last==Craig).age', 68],
  ['friends.#(age>100)', undefined],
  ['friends.#(age>100)#', []],
  // A query without an operator asks only that the path exists.
  ['friends.#(nets.2)#.first', ['Dale']],
  // `#.` maps the rest up to a pipe over each item, keeping those that match.
  ['friends.#.nets.#', [3, 2, 2]],
  ['friends.#.nets.2', ['tw']],
  ['friends.#.nets|@flatten', ['ig', 'fb', 'tw', 'fb', 'tw', 'ig', 'tw']],
  ['friends.#(age>=47)#|@reverse|0.first', 'Jane'],
  // Modifiers.
  ['@this.age', 37],
  ['name.@keys', ['first', 'last']],
  ['name.@values', ['Tom', 'Anderson']],
  ['children.@keys', [null, null, null]],
  ['name.@reverse', { last: 'Anderson', first: 'Tom' }],
  ['[name,{"x":age},children]|@join', { first: 'Tom', last: 'Anderson', x: 37 }],
  ['{age,name}|@pretty:{"sortKeys":true}', { age: 37, name: { first: 'Tom', last: 'Anderson' } }],
  // A modifier's argument inside a multipath, and a query whose path is a modifier.
  ['[age,name|@pretty:{"sortKeys":true}]', [37, { first: 'Tom', last: 'Anderson' }]],
  ['children.#(@this%"S*")#', ['Sara']],
  ['name|@ugly', { first: 'Tom', last: 'Anderson' }],
  // Multipaths: misses are left out; a member without a plain last key is named `_`.
  ['[name.first,missing,children.0]', ['Tom', 'Sara']],
  ['{friends.#,"a.b":age}', { _: 3, 'a.b': 37 }],
  ['{name.first,age}.age', 37],
];

test('GJSON paths evaluate as SYNTAX.md documents', () => {
  for (const [path, expected] of SYNTAX) assert.deepEqual(get(doc, path), expected, path);
});

test('GJSON paths: misses, comparisons, maps, modifiers and multipaths', () => {
  for (const [path, expected] of MORE) assert.deepEqual(get(doc, path), expected, path);
});

test('GJSON keys: escapes, wildcards, JSON null, booleans and @flatten', () => {
  const data = {
    'a*b': 1,
    axb: 2,
    'dot.ted': { 'x|y': 3 },
    a1: {},
    a2: { x: 4 },
    gone: null,
    '@nope': 5,
    flags: [{ on: true, id: 1 }, { on: false, id: 2 }],
    '0': 'zero',
    nested: [[1], [2, [3]]],
  };
  const cases: [string, unknown][] = [
    ['a\\*b', 1],
    ['a?b', 1],
    ['dot\\.ted.x\\|y', 3],
    // After `.` a wildcard tries every matching key; after `|` only the first.
    ['a?.x', 4],
    ['a?|x', undefined],
    ['gone', null],
    ['@nope', 5],
    ['0', 'zero'],
    ['flags.#(on==true).id', 1],
    ['flags.#(on==false).id', 2],
    ['flags.#(on!=true)#.id', [2]],
    ['flags.#(on>false)#.id', [1]],
    ['nested.@flatten', [1, 2, [3]]],
    ['nested.@flatten:{"deep":true}', [1, 2, 3]],
  ];
  for (const [path, expected] of cases) assert.deepEqual(get(data, path), expected, path);
});
