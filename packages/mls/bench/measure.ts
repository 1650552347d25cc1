// Measurement helpers shared by the benchmarks in bench/: CPU time of this process and the median of samples.

/** This process's CPU time (user + system, all threads) in ms: the machine is shared, wall time would measure the other tenants. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The median (the mean of the two middle samples for an even count); NaN for no samples. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}
