// The few assertions a shared test contract uses: node:assert/strict satisfies it in Node, a small portable
// implementation in the browser (packages/web/test/browser/browser-assert.ts). No node:* import here.

export interface ContractAssert {
  equal(actual: unknown, expected: unknown, message?: string): void;
  /** Deep strict equality: same structure, same prototypes, Uint8Arrays equal byte for byte. */
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  ok(value: unknown, message?: string): void;
  /** Resolves when `promise` rejects with an error for which `check` returns true, throws otherwise. */
  rejects(promise: Promise<unknown>, check: (e: unknown) => boolean, message?: string): Promise<void>;
}

/** One named case of a contract; `run` throws (or rejects) on failure. */
export interface ContractCase {
  readonly name: string;
  run(): Promise<void>;
}
