// The protocol between a browser suite and the Node test that runs it (test/browser-suites.test.ts): each suite module
// exports `run(): Promise<SuiteResult>`; the test imports it in the page and turns every case into a named subtest.

export interface CaseResult {
  name: string;
  ok: boolean;
  /** The failure's name, message and stack (only when !ok). */
  error?: string;
  ms: number;
}

export interface SuiteResult {
  suite: string;
  cases: CaseResult[];
  /** What the suite checked (vectors, epochs, ...), for the test to assert and report. */
  counts: Record<string, number>;
  /** Any other facts worth reporting (e.g. which WebCrypto algorithms exist). */
  facts?: Record<string, string | boolean | number>;
}

export interface NamedCase {
  readonly name: string;
  run(): unknown;
}

/** A case still running after this long fails with a timeout, so a hang names its case (IndexedDB blocked, ...). */
export const CASE_TIMEOUT_MS = 20_000;

function withTimeout(run: () => unknown, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(run), timeout]).finally(() => clearTimeout(timer));
}

/** Runs cases one after another; a failing (or timed-out) case is recorded with its error and does not stop the others. */
export async function runCases(cases: readonly NamedCase[], timeoutMs = CASE_TIMEOUT_MS): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const t0 = performance.now();
    try {
      await withTimeout(() => c.run(), timeoutMs);
      out.push({ name: c.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      out.push({ name: c.name, ok: false, error, ms: Math.round(performance.now() - t0) });
    }
  }
  return out;
}
