// ESLint rule: a relative import must stay inside its own workspace package (packages/<name>/). Another package is
// reached through its name (`@sotto/mls`), so that each package owns its contract and its internals stay private.
import path from 'node:path';

/** The packages/<name> folder holding `file`, or undefined outside packages/. */
function packageRoot(file) {
  const parts = path.resolve(file).split(path.sep);
  const i = parts.lastIndexOf('packages');
  if (i < 0 || i + 1 >= parts.length - 1) return undefined;
  return parts.slice(0, i + 2).join(path.sep);
}

/** @type {import('eslint').Rule.RuleModule} */
export const noCrossPackageImport = {
  meta: {
    type: 'problem',
    docs: { description: 'forbid relative imports that leave their workspace package' },
    schema: [],
    messages: {
      leaves: "'{{source}}' leaves package {{pkg}}: import the other package by its name instead",
    },
  },
  create(context) {
    const file = context.filename;
    const root = packageRoot(file);
    if (!root) return {};
    const check = (node) => {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const source = node.value;
      if (!source.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), source);
      if (target === root || target.startsWith(root + path.sep)) return;
      context.report({ node, messageId: 'leaves', data: { source, pkg: path.basename(root) } });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
    };
  },
};

export default { rules: { 'no-cross-package-import': noCrossPackageImport } };
