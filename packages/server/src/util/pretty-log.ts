// The `log.format: pretty` output: pino's JSON lines rewritten as one readable line each,
// `2026-01-01T12:00:00.000Z INFO  message key=value ...`. pino and Fastify stay the logger; only the destination changes.
import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** pino's own fields, shown in the line's fixed columns or not at all. */
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

function value(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return typeof v === 'string' && (s === '' || /[\s"=]/.test(s)) ? JSON.stringify(s) : s;
}

function pairs(obj: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    if (prefix === '' && OMIT.has(k)) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) pairs(v as Record<string, unknown>, `${prefix}${k}.`, out);
    else if (v !== undefined) out.push(`${prefix}${k}=${value(v)}`);
  }
}

/** One pino JSON line as a readable line; a line that is not a JSON object is returned unchanged. */
export function formatLogLine(line: string): string {
  let j: unknown;
  try {
    j = JSON.parse(line);
  } catch {
    return line;
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return line;
  const o = j as Record<string, unknown>;
  const time = typeof o.time === 'number' ? new Date(o.time).toISOString() : '-';
  const level = (typeof o.level === 'number' ? LEVELS[o.level] : undefined) ?? String(o.level ?? '-').toUpperCase();
  const out: string[] = [];
  pairs(o, '', out);
  return [time, level.padEnd(5), typeof o.msg === 'string' ? o.msg : '', ...out].filter((p) => p !== '').join(' ');
}

/** A destination for pino that writes `formatLogLine` of each line to `out`. */
export function prettyLogStream(out: NodeJS.WritableStream): Writable {
  let rest = '';
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, cb) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l !== '') out.write(`${formatLogLine(l)}\n`);
      cb();
    },
    final(cb) {
      if (rest !== '') out.write(`${formatLogLine(rest)}\n`);
      cb();
    },
  });
}
