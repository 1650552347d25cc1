// The few assertions the IETF vector contracts use: node:assert/strict satisfies it in Node, a small portable
// implementation in the browser (packages/web/test/browser/browser-assert.ts). No node:* import here.

export interface ContractAssert {
  equal(actual: unknown, expected: unknown, message?: string): void;
  /** Deep strict equality: same structure, same prototypes, Uint8Arrays equal byte for byte. */
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  ok(value: unknown, message?: string): void;
  /** Passes when `fn` throws an error for which `check` returns true. */
  throws(fn: () => unknown, check: (e: unknown) => boolean, message?: string): void;
}
