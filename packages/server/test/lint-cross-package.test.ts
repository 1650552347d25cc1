// The lint gate against relative imports across packages: the rule fires on a path that leaves its package (in a
// static import, a re-export or a dynamic import) and stays quiet inside it, and the repository's config enables it.
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const RULE = 'sotto/no-cross-package-import';

interface FileConfig {
  rules?: Record<string, unknown>;
  plugins?: Record<string, ESLint.Plugin>;
}

/** The repository's own config for `file` (eslint.config.js), as ESLint computes it. */
async function repoConfig(file: string): Promise<FileConfig> {
  return (await new ESLint({ cwd: root }).calculateConfigForFile(join(root, file))) as FileConfig;
}

/** A linter with only the rule under test, taken from the repository's config (no type information needed). */
async function linter(): Promise<ESLint> {
  const sotto = (await repoConfig('packages/server/src/server.ts')).plugins?.sotto;
  assert.ok(sotto, 'eslint.config.js registers the sotto plugin');
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, sourceType: 'module' },
        plugins: { sotto },
        rules: { [RULE]: 'error' },
      },
    ],
  });
}

async function problems(code: string, file: string): Promise<string[]> {
  const [result] = await (await linter()).lintText(code, { filePath: join(root, file) });
  assert.ok(result);
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('a relative import into another package is an error, in a static import, a re-export or a dynamic import', async () => {
  const file = 'packages/server/test/helpers/example.ts';
  for (const code of [
    "import { makeState } from '../../../mls/src/group/state.js';",
    "export { makeState } from '../../../mls/src/group/state.js';",
    "export * from '../../../client/src/index.js';",
    "const m = await import('../../../mls/src/index.js');",
    "import x from '../../..';",
  ]) {
    const found = await problems(code, file);
    assert.equal(found.length, 1, code);
    assert.match(found[0] ?? '', /^sotto\/no-cross-package-import: .* leaves package server/);
  }
});

test('relative imports inside the package and package-name imports pass', async () => {
  const code = [
    "import { SottoError } from '../../src/errors.js';",
    "import { credentialOf } from './mls-member.js';",
    "import { parseMlsHeader } from '@sotto/mls';",
    "import { signContent } from '@sotto/mls/internal';",
    "import { join } from 'node:path';",
  ].join('\n');
  assert.deepEqual(await problems(code, 'packages/server/test/helpers/example.ts'), []);
});

test("the repository's ESLint config enables the rule as an error in every package", async () => {
  for (const file of ['packages/server/src/server.ts', 'packages/client/test/client-basic.test.ts', 'packages/mls/src/index.ts']) {
    const level = (await repoConfig(file)).rules?.[RULE];
    assert.ok(Array.isArray(level) ? level[0] === 2 : level === 2, `${file}: ${JSON.stringify(level)}`);
  }
});
