// The clock is injected so tests and the sweeper agree on "now".
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
