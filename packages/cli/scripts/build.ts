// Build of `sotto` (`npm run build -w packages/cli`; the CLI tests run it when needed): bundles src/main.ts with the
// workspace packages it imports (@sotto/client and, through it, @sotto/mls, @sotto/identity, @sotto/protocol), from
// their TypeScript sources, into one ES module, dist/main.js, that bin/sotto.js runs with plain Node.
//
// One bundle rather than the server's per-package `tsc` outputs under the "sotto-dist" condition: it shares no file
// with another build (npm start and the server's build test rewrite the packages' dist/ while the CLI tests may be
// running), so it can be replaced atomically (written beside, then renamed), and one file starts faster than hundreds.
// Third-party packages (commander, better-sqlite3, ws, @noble/*) stay external: Node loads them from node_modules.
//
// Beside the bundle, dist/build-inputs.json records every file the bundle was made from, with the exact content that
// went in (hashed as it was read): bin/build-freshness.js runs the bundle only while all of them are unchanged.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { BUILD_INPUTS, type BuildInputs, type InputRecord } from '../bin/build-freshness.js';

const CLI_ROOT = resolve(import.meta.dirname, '..');

/** Bundles the CLI into dist/main.js (with its source map and dist/build-inputs.json); safe to run concurrently. */
export async function buildCli(root: string = CLI_ROOT): Promise<void> {
  const inputs: Record<string, InputRecord> = {};
  const record = (file: string, contents: Buffer, mtimeMs: number): void => {
    inputs[relative(root, file)] = { mtimeMs, size: contents.length, sha256: createHash('sha256').update(contents).digest('hex') };
  };
  // Reads each source itself, so the recorded hash is of exactly what was compiled. The mtime is taken before the read:
  // an edit racing the build then shows as a changed mtime, and the hash decides.
  const recordSources: Plugin = {
    name: 'record-sources',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const { mtimeMs } = statSync(args.path);
        const contents = readFileSync(args.path);
        record(args.path, contents, mtimeMs);
        return { contents, loader: 'ts' };
      });
    },
  };
  // The workspace packages (@sotto/*, linked in node_modules, exporting TypeScript) are bundled. Another package stays
  // external (Node loads it from node_modules at run time, native addons included) when Node finds the same copy of
  // it from dist/ as from the file that imports it; a copy nested in a package's own node_modules (another version
  // than the hoisted one) is bundled instead, so that each importer still gets its own.
  const SELF = Symbol('external-dependencies');
  const externalDependencies: Plugin = {
    name: 'external-dependencies',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (args.path.startsWith('@sotto/') || args.pluginData === SELF) return undefined;
        const from = (resolveDir: string) => b.resolve(args.path, { kind: args.kind, resolveDir, pluginData: SELF });
        const [here, there] = await Promise.all([from(args.resolveDir), from(root)]);
        if (here.errors.length === 0 && there.errors.length === 0 && here.path === there.path) return { path: args.path, external: true };
        return here.errors.length === 0 ? { path: here.path } : undefined;
      });
    },
  };
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'src/main.ts')],
    outfile: join(root, 'dist/main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Error classes and commands are known by their names; bundling must not rename them to avoid collisions.
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [externalDependencies, recordSources],
  });
  // Inputs too: the workspace packages' package.json files (their "exports" chose the sources), the lock file (which
  // versions of the dependencies are installed, bundled or not) and this script.
  const packages = new Set(
    Object.keys(result.metafile.inputs).flatMap((f) => (f.includes('node_modules') ? [] : [packageJsonOf(resolve(root, f))])),
  );
  for (const file of [...packages, resolve(root, '../../package-lock.json'), fileURLToPath(import.meta.url)]) {
    const { mtimeMs } = statSync(file);
    record(file, readFileSync(file), mtimeMs);
  }
  const manifest: BuildInputs = { inputs };
  const outputs = [
    ...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })),
    { path: join(root, BUILD_INPUTS), contents: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
  ];
  mkdirSync(join(root, 'dist'), { recursive: true });
  // Each file is written beside its place and renamed into it, the manifest last: a concurrent build or a starting
  // `sotto` sees either the old file or the new one, never a part of one.
  for (const out of outputs) {
    const tmp = `${out.path}.${process.pid}.tmp`;
    writeFileSync(tmp, out.contents);
    renameSync(tmp, out.path);
  }
}

/** The package.json of the workspace package holding `file` (the nearest one above it). */
function packageJsonOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      statSync(join(dir, 'package.json'));
      return join(dir, 'package.json');
    } catch {
      if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCli();
