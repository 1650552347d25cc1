// The crypto providers the IETF vector tests run against, and which vector cases each one runs.
// The native provider runs every case. The portable one (@noble/*, ~10x slower) runs every case where that is
// cheap and a per-suite sample where it is not; every test reports its counts with t.diagnostic, never silently.
// SOTTO_PORTABLE_FULL=1 lifts the sampling (every case for both providers).
import { createNativeProvider, nativeRandom } from '../../src/crypto/native/index.js';
import { createPortableProvider, portableRandom } from '../../src/crypto/portable/index.js';
import type { CryptoProvider, Rng } from '../../src/crypto/provider.js';

/** Which cases of one vector file a provider runs. */
export interface CaseLimit {
  /** Ciphersuites whose every case runs. */
  readonly fullSuites: readonly number[];
  /** For every other suite, the cases that run: positions among that suite's cases, in file order. */
  readonly sample: readonly number[];
}

export interface ProviderUnderTest {
  readonly name: string;
  readonly provider: CryptoProvider;
  readonly rng: Rng;
  /** Per vector file (its name without .json); a file not listed runs every case. */
  readonly limits: Readonly<Record<string, CaseLimit>>;
}

const full = process.env.SOTTO_PORTABLE_FULL === '1';

/** Portable-provider sampling, sized to keep its added test time under ~60 s on 2 cores (see each file's diagnostics). */
const PORTABLE_LIMITS: Record<string, CaseLimit> = {
  treekem: { fullSuites: [1, 3], sample: [0, 8] },
};

export const providers: readonly ProviderUnderTest[] = [
  { name: 'native', provider: createNativeProvider(), rng: nativeRandom, limits: {} },
  { name: 'portable', provider: createPortableProvider(), rng: portableRandom, limits: full ? {} : PORTABLE_LIMITS },
];

/** The cases of `file` that `p` runs, each with its index in the file, and a one-line account of the selection. */
export function selectCases<V extends { readonly cipher_suite: number }>(
  p: ProviderUnderTest,
  file: string,
  vectors: readonly V[],
): { cases: [number, V][]; summary: string } {
  const limit = p.limits[file];
  const position = new Map<number, number>();
  const cases: [number, V][] = [];
  for (const [i, v] of vectors.entries()) {
    const s = v.cipher_suite;
    const n = position.get(s) ?? 0;
    position.set(s, n + 1);
    if (!p.provider.supportedSuites.includes(s)) continue;
    if (limit !== undefined && !limit.fullSuites.includes(s) && !limit.sample.includes(n)) continue;
    cases.push([i, v]);
  }
  const suites = suitesOf(cases).join(',');
  const skipped = vectors.length - cases.length;
  let how = '';
  if (skipped > 0 && limit !== undefined) {
    how = ` (sampled: suites ${limit.fullSuites.join(',')} in full, cases #${limit.sample.join(',#')} of each other suite; ${skipped} skipped)`;
  } else if (skipped > 0) {
    how = ` (${skipped} skipped: suite not implemented)`;
  }
  return { cases, summary: `${p.name}: ${cases.length}/${vectors.length} ${file}.json cases over suites ${suites}${how}` };
}

/** The ciphersuites of the selected cases, ascending. */
export function suitesOf<V extends { readonly cipher_suite: number }>(cases: readonly (readonly [number, V])[]): number[] {
  return [...new Set(cases.map(([, v]) => v.cipher_suite))].sort((a, b) => a - b);
}
