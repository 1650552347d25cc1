// Test helper: spawn client agent processes (test/e2e/agent.ts) and call them; kill them hard when a test says so.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const AGENT = resolve(import.meta.dirname, '../e2e/agent.ts');

export interface Agent {
  name: string;
  dir: string;
  child: ChildProcess;
  call<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** SIGKILL: no cleanup, no flush. */
  kill(): Promise<void>;
  exit(): Promise<void>;
}

export async function spawnAgent(root: string, name: string, dir = join(root, name), env: Record<string, string> = {}): Promise<Agent> {
  mkdirSync(dir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', AGENT, dir], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: resolve(import.meta.dirname, '../..'),
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error(`agent ${name} exited: ${stderr.join('').slice(-2000)}`));
    waiting.clear();
  });
  const ready = new Promise<void>((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      let j: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: string };
      try {
        j = JSON.parse(line) as typeof j;
      } catch {
        return;
      }
      if (j.ready) return res();
      const w = j.id === undefined ? undefined : waiting.get(j.id);
      if (!w || j.id === undefined) return;
      waiting.delete(j.id);
      if (j.ok) w.resolve(j.result);
      else w.reject(new Error(`${name}: ${j.error}`));
    });
    child.once('exit', () => rej(new Error(`agent ${name} exited before ready: ${stderr.join('')}`)));
  });
  await ready;
  return {
    name,
    dir,
    child,
    call<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
      const id = next++;
      return new Promise<T>((res, rej) => {
        const t = setTimeout(() => {
          waiting.delete(id);
          rej(new Error(`${name}: ${cmd} timed out`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(t);
            res(v as T);
          },
          reject: (e) => {
            clearTimeout(t);
            rej(e);
          },
        });
        child.stdin!.write(`${JSON.stringify({ id, cmd, args })}\n`);
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async exit() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.write(`${JSON.stringify({ id: 0, cmd: 'exit' })}\n`);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function until<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
