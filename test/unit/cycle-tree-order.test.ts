/** The console's start page lists cycles as the Party tree (console/cycle-tree-order.ts). */
import { describe, expect, it } from 'vitest';
import { treeOrder } from '../../console/cycle-tree-order.js';

describe('the cycles as a tree', () => {
  it('puts each child under its superior, indented, keeping the list’s order among siblings', () => {
    const list = [
      { id: 'C2-2027', parentId: 'P-2027' },
      { id: 'P-2028' },
      { id: 'G1-2027', parentId: 'C1-2027' },
      { id: 'P-2027' },
      { id: 'C1-2027', parentId: 'P-2027' },
    ];
    expect(treeOrder(list).map((i) => `${'  '.repeat(i.depth)}${i.id}`)).toEqual([
      'P-2028',
      'P-2027',
      '  C2-2027',
      '  C1-2027',
      '    G1-2027',
    ]);
  });

  it('lists a cycle whose superior is out of view at the top, and never loses one', () => {
    expect(treeOrder([{ id: 'C1-2027', parentId: 'P-2027' }]).map((i) => [i.id, i.depth])).toEqual([['C1-2027', 0]]);
    const loop = treeOrder([
      { id: 'A', parentId: 'B' },
      { id: 'B', parentId: 'A' },
    ]);
    expect(loop.map((i) => i.id).sort()).toEqual(['A', 'B']);
  });
});
