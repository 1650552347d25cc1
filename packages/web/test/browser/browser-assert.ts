// A small portable assert for test code running in the browser: the subset of node:assert/strict the shared test
// contracts use (client and mls test/contracts/assert.ts), with node's strict semantics for the values they compare.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array(${v.length}) [${Array.from(v.subarray(0, 32)).join(',')}${v.length > 32 ? ',…' : ''}]`;
  if (typeof v === 'bigint') return `${v}n`;
  try {
    const s = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? show(x) : x));
    return s === undefined ? String(v) : s.length > 300 ? `${s.slice(0, 300)}…` : s;
  } catch {
    return String(v);
  }
}

/** Deep strict equality (node:assert's deepStrictEqual for plain data, arrays, typed arrays, Map, Set, Date). */
export function deepEqualValues(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Map && b instanceof Map) {
    return a.size === b.size && [...a].every(([k, v]) => b.has(k) && deepEqualValues(v, b.get(k)));
  }
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((v) => b.has(v));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqualValues(ra[k], rb[k]));
}

const fail = (what: string, message: string | undefined): never => {
  throw new AssertionError(message === undefined ? what : `${message}: ${what}`);
};

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : show(e));

/** The assert object handed to the contracts. */
export const browserAssert = {
  equal(actual: unknown, expected: unknown, message?: string): void {
    if (!Object.is(actual, expected)) fail(`expected ${show(expected)}, got ${show(actual)}`, message);
  },
  deepEqual(actual: unknown, expected: unknown, message?: string): void {
    if (!deepEqualValues(actual, expected)) fail(`expected deep-equal ${show(expected)}, got ${show(actual)}`, message);
  },
  ok(value: unknown, message?: string): void {
    if (!value) fail(`expected a truthy value, got ${show(value)}`, message);
  },
  throws(fn: () => unknown, check: (e: unknown) => boolean, message?: string): void {
    try {
      fn();
    } catch (e) {
      if (!check(e)) fail(`the error did not match: ${describeError(e)}`, message);
      return;
    }
    fail('expected a throw', message);
  },
  async rejects(promise: Promise<unknown>, check: (e: unknown) => boolean, message?: string): Promise<void> {
    try {
      await promise;
    } catch (e) {
      if (!check(e)) fail(`the rejection did not match: ${describeError(e)}`, message);
      return;
    }
    fail('expected a rejection', message);
  },
};
