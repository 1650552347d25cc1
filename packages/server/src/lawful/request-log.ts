// The request log (docs/for-law-enforcement.md "The request log"): every register event, append-only and hash-chained
// as @sotto/protocol's lawful.ts defines (requestLogHash). Each entry publishes only its month, the request id, the
// event and a few classes and counts; the rest (exact time, acting admin, authority, reference, accounts, reasons) is
// its private part, kept by the operator and tied into the chain by a salted SHA-256 digest, so the whole log can be
// checked by the operator (`admin requests log --verify`) and its public part by anyone (the transparency report).
import {
  canonicalJson,
  type ChainCheck,
  GENESIS_HEX,
  type LogHead,
  monthOf,
  privateDigest,
  requestLogHash,
  verifyRequestLog,
} from '@sotto/protocol';
import type { LogInput, StoredLogEntry } from './lawful-store.js';

/** The stored entries for `inputs`, chained under `head` (undefined: the log is empty). */
export function chainEntries(head: LogHead | undefined, inputs: readonly LogInput[]): StoredLogEntry[] {
  let seq = head?.seq ?? 0;
  let prev = head?.hash ?? GENESIS_HEX;
  return inputs.map((i) => {
    const priv = canonicalJson({ at: i.at, ...i.private });
    const fields = {
      seq: ++seq,
      month: monthOf(i.at),
      request: i.request,
      event: i.event,
      public: i.public,
      privateDigest: privateDigest(i.salt, JSON.parse(priv)),
    };
    const hash = requestLogHash(prev, fields);
    const entry: StoredLogEntry = { ...fields, prevHash: prev, hash, private: priv, salt: i.salt };
    prev = hash;
    return entry;
  });
}

/** The operator's check: the public chain, and every private part against its digest. */
export function verifyStoredLog(entries: readonly StoredLogEntry[]): ChainCheck {
  const chain = verifyRequestLog(entries);
  if (!chain.ok) return chain;
  for (const e of entries) {
    let ok = false;
    try {
      ok = privateDigest(e.salt, JSON.parse(e.private)) === e.privateDigest;
    } catch {
      ok = false;
    }
    if (!ok) return { ok: false, seq: e.seq, problem: 'the private part does not match its digest' };
  }
  return chain;
}

/** The public entry (what a transparency report carries): the stored entry without its private part and salt. */
export function publicEntry({ private: _p, salt: _s, ...e }: StoredLogEntry): Omit<StoredLogEntry, 'private' | 'salt'> {
  return e;
}
