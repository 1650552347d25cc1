// RFC 9420 Appendix C tree math against the IETF tree-math.json vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonAncestor, copath, directPath, isLeaf, left, level, nodeWidth, parent, right, root, sibling } from '../src/tree/tree-math.js';
import { loadVectors } from './helpers/vectors.js';

interface TreeMathVector {
  n_leaves: number;
  n_nodes: number;
  root: number;
  left: (number | null)[];
  right: (number | null)[];
  parent: (number | null)[];
  sibling: (number | null)[];
}

function orNull(f: () => number): number | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

test('tree-math.json: every case', (t) => {
  const cases = loadVectors<TreeMathVector>('tree-math');
  for (const v of cases) {
    const n = v.n_leaves;
    assert.equal(nodeWidth(n), v.n_nodes);
    assert.equal(root(n), v.root);
    for (let i = 0; i < v.n_nodes; i++) {
      assert.equal(
        orNull(() => left(i)),
        v.left[i],
        `left(${i}) n=${n}`,
      );
      assert.equal(
        orNull(() => right(i)),
        v.right[i],
        `right(${i}) n=${n}`,
      );
      assert.equal(
        orNull(() => parent(i, n)),
        v.parent[i],
        `parent(${i}) n=${n}`,
      );
      assert.equal(
        orNull(() => sibling(i, n)),
        v.sibling[i],
        `sibling(${i}) n=${n}`,
      );
    }
  }
  t.diagnostic(`tree-math.json: ${cases.length}/${cases.length} cases`);
});

test('direct path, copath and common ancestor (RFC 9420 §4.1.2 Figure 10 tree)', () => {
  // 8 leaves: root 7; leaf A = node 0.
  assert.deepEqual(directPath(0, 8), [1, 3, 7]);
  assert.deepEqual(copath(0, 8), [2, 5, 11]);
  assert.deepEqual(directPath(7, 8), []);
  assert.deepEqual(copath(7, 8), []);
  assert.equal(commonAncestor(0, 2), 1);
  assert.equal(commonAncestor(0, 14), 7);
  assert.equal(commonAncestor(8, 12), 11);
  assert.equal(commonAncestor(4, 4), 4);
  assert.equal(commonAncestor(3, 2), 3);
  assert.equal(level(7), 3);
  assert.ok(isLeaf(6) && !isLeaf(5));
  // Exhaustive check against the definition: the LCA is the lowest node on both direct paths (plus the nodes).
  const n = 16;
  for (let x = 0; x < nodeWidth(n); x++) {
    for (let y = 0; y < nodeWidth(n); y++) {
      const px = [x, ...directPath(x, n)];
      const py = new Set([y, ...directPath(y, n)]);
      assert.equal(
        commonAncestor(x, y),
        px.find((a) => py.has(a)),
      );
    }
  }
});
