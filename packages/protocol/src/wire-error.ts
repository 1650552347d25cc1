// WireError: a frame or HTTP body that does not have the shape the contract gives it. One class, one stable code.

/**
 * Thrown by this package's decoders. The message names the field path and what was expected, never the value
 * (values may be tokens or ciphertext), so it is safe to log.
 */
export class WireError extends Error {
  readonly code = 'MALFORMED' as const;
  /** Where the bad field is, e.g. `frame.epoch` or `body.devices[2].certificate`. */
  readonly path: string;
  /** What the field should have been, e.g. `a string`. */
  readonly expected: string;
  /** The request id of a WebSocket frame whose `rid` could be read, so that the request it answers can be failed. */
  readonly rid: number | undefined;

  constructor(path: string, expected: string, rid?: number) {
    super(`${path} must be ${expected}`);
    this.name = 'WireError';
    this.path = path;
    this.expected = expected;
    this.rid = rid;
  }
}
