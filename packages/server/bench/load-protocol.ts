// The IPC messages between the benchmark's parent (load-pool.ts) and its load processes (load-worker.ts).

/** Which system a connection goes to. */
export type Kind = 'sotto' | 'relay';

export interface SenderSpec {
  device: string;
  /** The relay's target: a device id, or a `g:` group name. Ignored by sotto-server, which routes by group. */
  target: string;
  /** base64 group id and decimal epoch of the PrivateMessage header. */
  gid: string;
  epoch: string;
}

export interface DriveRequest {
  op: 'drive';
  kind: Kind;
  senders: SenderSpec[];
  /** Wall-clock ms (performance.timeOrigin + performance.now()) at which the measured window opens; sending starts at once. */
  startAt: number;
  durationMs: number;
  /** Messages in flight per sender. */
  window: number;
  /** Messages per second per sender; unpaced (as fast as answers come back) when absent. */
  ratePerSender?: number;
  latencies: boolean;
}

export interface DriveResult {
  /** Messages delivered to this process's devices within the window. */
  delivered: number;
  /** Error answers to this process's sends within the whole drive. */
  errors: number;
  seconds: number;
  /** Send → receive times in ms of the messages delivered within the window, when asked for. */
  latencies: number[];
}

export type Request =
  { op: 'connect'; kind: Kind; url: string; devices: { id: string; token?: string }[] } | { op: 'close'; kind: Kind } | DriveRequest;

export type Response = { seq: number; result: unknown } | { seq: number; error: string };
