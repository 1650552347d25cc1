// Prometheus text exposition (format 0.0.4) of counters, gauges and latency histograms. No labels carry user data.

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

class Histogram {
  readonly counts = new Array<number>(BUCKETS.length).fill(0);
  sum = 0;
  count = 0;
  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
  }
}

export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();
  private readonly gauges = new Map<string, { help: string; read: () => number | Promise<number> }>();
  private readonly histograms = new Map<string, { help: string; values: Map<string, Histogram> }>();

  counter(name: string, help: string): (labels?: string, n?: number) => void {
    const c = { help, values: new Map<string, number>() };
    this.counters.set(name, c);
    return (labels = '', n = 1) => c.values.set(labels, (c.values.get(labels) ?? 0) + n);
  }

  gauge(name: string, help: string, read: () => number | Promise<number>): void {
    this.gauges.set(name, { help, read });
  }

  histogram(name: string, help: string): (seconds: number, labels?: string) => void {
    const h = { help, values: new Map<string, Histogram>() };
    this.histograms.set(name, h);
    return (seconds, labels = '') => {
      let x = h.values.get(labels);
      if (!x) {
        x = new Histogram();
        h.values.set(labels, x);
      }
      x.observe(seconds);
    };
  }

  async render(): Promise<string> {
    const out: string[] = [];
    const lbl = (l: string, extra = '') => (l || extra ? `{${[l, extra].filter(Boolean).join(',')}}` : '');
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`);
      if (c.values.size === 0) out.push(`${name} 0`);
      for (const [l, v] of c.values) out.push(`${name}${lbl(l)} ${v}`);
    }
    for (const [name, g] of this.gauges) {
      out.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${await g.read()}`);
    }
    for (const [name, h] of this.histograms) {
      out.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`);
      for (const [l, x] of h.values) {
        for (const [i, b] of BUCKETS.entries()) out.push(`${name}_bucket${lbl(l, `le="${b}"`)} ${x.counts[i]}`);
        out.push(`${name}_bucket${lbl(l, 'le="+Inf"')} ${x.count}`, `${name}_sum${lbl(l)} ${x.sum}`, `${name}_count${lbl(l)} ${x.count}`);
      }
    }
    return `${out.join('\n')}\n`;
  }
}

/** The server's metric handles, created once in main and passed down. */
export function createServerMetrics(m: Metrics) {
  return {
    registry: m,
    httpRequests: m.counter('sotto_http_requests_total', 'HTTP requests by status class'),
    httpLatency: m.histogram('sotto_http_request_duration_seconds', 'HTTP request latency'),
    errors: m.counter('sotto_errors_total', 'Errors returned to clients, by code'),
    wsFrames: m.counter('sotto_ws_frames_total', 'WebSocket frames received'),
    submitted: m.counter('sotto_messages_submitted_total', 'MLS messages accepted and stored'),
    commitsVerified: m.counter('sotto_commits_verified_total', 'Commits verified against the group state and applied'),
    deliveries: m.counter('sotto_deliveries_total', 'Messages pushed to connected devices'),
    acks: m.counter('sotto_acks_total', 'Deliveries acknowledged by devices'),
    submitLatency: m.histogram('sotto_submit_duration_seconds', 'Time from receiving a message to its durable acknowledgement'),
    /** Verification alone (MLS checks against the group's public state, device and policy checks), not storage. */
    verifyLatency: m.histogram(
      'sotto_handshake_verify_duration_seconds',
      'Time to verify a proposal or commit against the group state, by kind',
    ),
    batches: m.counter('sotto_batches_total', 'Group-commit transactions'),
    batchOps: m.counter('sotto_batch_ops_total', 'Operations written by group-commit transactions'),
    /** One count per request refused (or downgraded) by an abuse limit; the label names the limit. */
    limitRefusals: m.counter('sotto_limit_refusals_total', 'Requests refused by an abuse limit, by limit'),
  };
}
export type ServerMetrics = ReturnType<typeof createServerMetrics>;
