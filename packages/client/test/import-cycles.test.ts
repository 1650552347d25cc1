// The client's modules form no import cycle: every relative `import`/`export ... from` of src/**/*.ts is an edge,
// type-only imports included (a part that names another's type still depends on it), and a depth-first search finds none.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sources(p);
    return d.name.endsWith('.ts') && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative specifiers a module imports or re-exports, static or dynamic, with or without `type`. */
export function relativeImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^'";]*?\bfrom\s*['"](\.[^'"]+)['"]/g,
    /\bimport\s*['"](\.[^'"]+)['"]/g,
    /\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[1]!);
  return out;
}

export function graphOf(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(root)) {
    const deps = relativeImports(readFileSync(file, 'utf8')).map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
    graph.set(file, deps);
  }
  return graph;
}

/** One cycle (its modules in order, the first repeated at the end), or undefined. */
export function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open');
    path.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 'open') return [...path.slice(path.indexOf(d)), d];
      if (!state.has(d)) {
        const c = visit(d);
        if (c) return c;
      }
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

describe('import cycles', () => {
  it('the parser sees value, type, multi-line, re-export and dynamic imports, not comments', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      'import {\n  c,\n  type D,\n} from "./not-single-quoted.js";',
      "import {\n  e,\n  f,\n} from './e.js';",
      "export { g } from './g.js';",
      "export type * from './h.js';",
      "import './side.js';",
      "const m = await import('./lazy.js');",
      "// import { x } from './commented.js';",
      "import { y } from '@sotto/mls';",
    ].join('\n');
    assert.deepEqual(
      relativeImports(text).sort(),
      ['../b/b.js', './a.js', './e.js', './g.js', './h.js', './lazy.js', './not-single-quoted.js', './side.js'].sort(),
    );
  });

  it('the search finds a cycle of three and none in a tree', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    assert.deepEqual(findCycle(g), ['a', 'b', 'c', 'a']);
    assert.equal(
      findCycle(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
      undefined,
    );
  });

  it('packages/client/src has none', () => {
    const cycle = findCycle(graphOf(SRC));
    assert.equal(cycle?.map((f) => relative(SRC, f)).join(' -> '), undefined);
  });
});
