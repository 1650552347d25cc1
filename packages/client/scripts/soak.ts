// `npm run soak -- --seconds N --intensity K [--seed S]`: the chaos test (test/chaos.test.ts) run longer and harder.
// Options are validated here and passed on as SOTTO_CHAOS_* variables; the test prints its seed on failure.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '300' }, intensity: { type: 'string', default: '2' }, seed: { type: 'string' } },
  strict: true,
});

function bounded(name: string, raw: string, min: number, max: number): string {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    process.stderr.write(`--${name} must be a number in [${min}, ${max}]\n`);
    process.exit(2);
  }
  return String(n);
}

const env = {
  ...process.env,
  SOTTO_CHAOS_SECONDS: bounded('seconds', values.seconds, 1, 86_400),
  SOTTO_CHAOS_INTENSITY: bounded('intensity', values.intensity, 0.1, 20),
  SOTTO_CHAOS_SEED: values.seed !== undefined ? bounded('seed', values.seed, 0, 2 ** 32 - 1) : String(Math.floor(Math.random() * 2 ** 32)),
};
process.stdout.write(`soak: ${env.SOTTO_CHAOS_SECONDS} s, intensity ${env.SOTTO_CHAOS_INTENSITY}, seed ${env.SOTTO_CHAOS_SEED}\n`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-timeout=0', resolve(import.meta.dirname, '../test/chaos.test.ts')],
  {
    env,
    stdio: 'inherit',
    cwd: resolve(import.meta.dirname, '..'),
  },
);
process.exit(r.status ?? 1);
