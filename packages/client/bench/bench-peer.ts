// The receiving side of the client benchmark, as a Peer: in the benchmark's own process (one thread for both clients)
// or in a child process of its own, as on two real devices. The child runs this file: it takes commands over IPC.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SottoClient } from '../src/client/sotto-client.js';
import { openNodeClient } from '../src/node/node-client.js';

/** One receiving client, wherever it runs. */
export interface Peer {
  readonly account: string;
  /** Starts counting: `stored` then resolves once `n` texts of conversation `id` from others are stored. */
  expect(id: string, n: number): Promise<void>;
  /** The CPU time this peer used from `expect` until the last of those texts was stored. */
  stored(): Promise<{ cpuMs: number }>;
  hasConversation(id: string): Promise<boolean>;
  flush(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** rss and heapUsed in MiB after two full GCs (when node runs with --expose-gc). */
  memory(): Promise<{ rss: number; heapUsed: number }>;
  close(): Promise<void>;
}

function counted(c: SottoClient, id: string, n: number): Promise<{ cpuMs: number }> {
  const cpu = process.cpuUsage();
  return new Promise((resolve) => {
    let k = 0;
    const off = c.on('message', (m) => {
      if (m.conversationId === id && !m.outgoing && ++k === n) {
        off();
        const d = process.cpuUsage(cpu);
        resolve({ cpuMs: (d.user + d.system) / 1000 });
      }
    });
  });
}

function memory(): { rss: number; heapUsed: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heapUsed: m.heapUsed / 2 ** 20 };
}

async function openPeerClient(serverUrl: string, dir: string, account: string): Promise<SottoClient> {
  const c = await openNodeClient({ dir, retryBaseMs: 100 });
  await c.register({ serverUrl, account });
  await c.start();
  return c;
}

/** A peer on this thread, sharing it with the sender. */
export async function localPeer(serverUrl: string, dir: string, account: string): Promise<Peer & { client: SottoClient }> {
  const client = await openPeerClient(serverUrl, dir, account);
  let pending: Promise<{ cpuMs: number }> | undefined;
  return {
    account,
    client,
    expect: async (id, n) => {
      pending = counted(client, id, n);
    },
    stored: () => pending ?? Promise.reject(new Error('nothing expected')),
    hasConversation: async (id) => client.getConversation(id) !== undefined,
    flush: () => client.flush(120_000),
    stop: () => client.stop(),
    start: () => client.start(),
    memory: async () => memory(),
    close: () => client.close(),
  };
}

type Command =
  | { op: 'open'; serverUrl: string; dir: string; account: string }
  | { op: 'expect'; id: string; n: number }
  | { op: 'has'; id: string }
  | { op: 'stored' | 'flush' | 'stop' | 'start' | 'memory' | 'close' };

/** A peer in a child process of its own (node with the same loader flags), driven over IPC. */
export async function processPeer(serverUrl: string, dir: string, account: string): Promise<Peer> {
  const child = fork(fileURLToPath(import.meta.url), ['--peer-child'], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { seq: number; ok: boolean; value?: unknown; error?: string }) => {
    const w = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (m.ok) w?.resolve(m.value);
    else w?.reject(new Error(`peer: ${m.error}`));
  });
  child.on('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`peer process exited (${code})`));
    waiting.clear();
  });
  const call = <T>(c: Command): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const seq = next++;
      waiting.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ seq, ...c });
    });
  await call({ op: 'open', serverUrl, dir, account });
  return {
    account,
    expect: (id, n) => call({ op: 'expect', id, n }),
    stored: () => call({ op: 'stored' }),
    hasConversation: (id) => call({ op: 'has', id }),
    flush: () => call({ op: 'flush' }),
    stop: () => call({ op: 'stop' }),
    start: () => call({ op: 'start' }),
    memory: () => call({ op: 'memory' }),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      await call({ op: 'close' }).catch(() => {});
      await exited;
    },
  };
}

async function runChild(): Promise<void> {
  let client: SottoClient | undefined;
  let pending: Promise<{ cpuMs: number }> | undefined;
  const need = () => {
    if (!client) throw new Error('not open');
    return client;
  };
  const handle = async (c: Command): Promise<unknown> => {
    switch (c.op) {
      case 'open':
        client = await openPeerClient(c.serverUrl, c.dir, c.account);
        return undefined;
      case 'expect':
        pending = counted(need(), c.id, c.n);
        return undefined;
      case 'stored':
        if (!pending) throw new Error('nothing expected');
        return pending;
      case 'has':
        return need().getConversation(c.id) !== undefined;
      case 'flush':
        return need().flush(120_000);
      case 'stop':
        return need().stop();
      case 'start':
        return need().start();
      case 'memory':
        return memory();
      case 'close':
        await client?.close();
        return undefined;
    }
  };
  process.on('message', (m: Command & { seq: number }) => {
    handle(m).then(
      (value) => {
        process.send?.({ seq: m.seq, ok: true, value });
        if (m.op === 'close') process.disconnect();
      },
      (e: unknown) => process.send?.({ seq: m.seq, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  // The benchmark going away ends this process too.
  process.on('disconnect', () => {
    const closing = client ? client.close() : Promise.resolve();
    closing.catch(() => {}).finally(() => process.exit(0));
  });
}

if (process.argv.includes('--peer-child')) await runChild();
