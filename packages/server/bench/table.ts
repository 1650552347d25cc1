// The benchmark's result table: one row per measure, Sotto against the bare relay, the target, and the CPU
// use of the system under test and of the load generator during that row.

export interface Row {
  measure: string;
  sotto: string;
  relay?: string;
  ratio?: string;
  /** The target and whether this run met it. */
  target?: string;
  /** pctCpu() while Sotto, resp. the relay, ran this row. */
  sottoCpu?: string;
  relayCpu?: string;
}

/** "server % / load % (idle %)": the system under test and the load generator in % of one core, the idle share of the machine. */
export function pctCpu(server: number, load: number, idle: number): string {
  return `${server.toFixed(0)}% / ${load.toFixed(0)}% (${idle.toFixed(0)}%)`;
}

export function renderTable(rows: Row[]): string {
  const head =
    '| measure | sotto-server | bare ws relay | ratio | target | CPU sotto: server / load (idle) | CPU relay: relay / load (idle) |';
  const lines = rows.map(
    (r) => `| ${[r.measure, r.sotto, r.relay, r.ratio, r.target, r.sottoCpu, r.relayCpu].map((c) => c ?? '').join(' | ')} |`,
  );
  return [head, '| --- | ---: | ---: | ---: | --- | ---: | ---: |', ...lines].join('\n');
}
