// Test helper: read every file under the server's data directory (database, WAL, blobs) and look for plaintext markers.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...files(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** The markers found in any server file (should be none), with the file they were found in. */
export function findPlaintext(dataDir: string, markers: string[]): Array<{ marker: string; file: string }> {
  const found: Array<{ marker: string; file: string }> = [];
  // Markers usually share a prefix: a file without it holds none of them (keeps the scan linear).
  let prefix = markers[0] ?? '';
  for (const m of markers) while (!m.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const pre = prefix.length >= 8 ? { utf8: Buffer.from(prefix, 'utf8'), utf16: Buffer.from(prefix, 'utf16le') } : undefined;
  const needles = markers.map((m) => ({ m, utf8: Buffer.from(m, 'utf8'), utf16: Buffer.from(m, 'utf16le') }));
  for (const f of files(dataDir)) {
    const data = readFileSync(f);
    if (pre && !data.includes(pre.utf8) && !data.includes(pre.utf16)) continue;
    for (const n of needles) if (data.includes(n.utf8) || data.includes(n.utf16)) found.push({ marker: n.m, file: f });
  }
  return found;
}

export function countFiles(dir: string): number {
  try {
    return files(dir).length;
  } catch {
    return 0;
  }
}
