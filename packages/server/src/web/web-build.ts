// Where the web app's build lives: the `dist` folder of the installed @sotto/web package, found through Node's module
// resolution (no relative path into another package), and whether a build is there.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The command that builds the web app, named in the 503 page and the start-up warning. */
export const WEB_BUILD_COMMAND = 'npm run build -w packages/web';

/** `<@sotto/web>/dist`, or null when the package cannot be resolved from here (not installed). */
export function defaultWebDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@sotto/web/package.json')), 'dist');
  } catch {
    return null;
  }
}

/** Whether `dir` holds a build (its index.html). */
export function isWebBuilt(dir: string | null): dir is string {
  return dir !== null && existsSync(join(dir, 'index.html'));
}
