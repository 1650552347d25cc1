// Summarises a V8 .cpuprofile: self time by function (name, file:line), top entries with share of the total.
// Run: node --import tsx bench/cpuprofile-top.ts <file.cpuprofile ...> [top=25]   (several files are summed: under
// --import tsx, node writes one profile per thread, the loader thread's being mostly idle)
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const files = args.filter((a) => a.endsWith('.cpuprofile'));
if (files.length === 0) throw new Error('usage: cpuprofile-top.ts <file.cpuprofile ...> [top]');
const top = Number(args.find((a) => !a.endsWith('.cpuprofile')) ?? 25);
const self = new Map<string, number>();
let total = 0;
for (const file of files) add(JSON.parse(readFileSync(file, 'utf8')) as Profile);

function add(p: Profile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  for (const [i, id] of p.samples.entries()) {
    const dt = p.timeDeltas[i] ?? 0;
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const where = f.url ? `${f.url.replace(/^.*\/packages\/mls\//, '').replace(/^.*node_modules\//, 'nm/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
}
const idle = self.get('(idle)') ?? 0;
console.log(`total ${(total / 1000).toFixed(0)} ms sampled, ${(idle / 1000).toFixed(0)} ms idle`);
for (const [k, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * us) / (total - idle)).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}
