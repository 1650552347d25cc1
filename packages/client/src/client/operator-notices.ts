// Notices from the server's operator to this account (docs/moderation.md: a report resolved with "warn"): the server
// hands each one out once (GET /v1/notices), so the client keeps it in its encrypted store and announces it.
import type { Core } from './ports.js';
import { json, parse } from './records.js';
import type { OperatorNotice } from './types.js';

const NS_OPERATOR_NOTICES = 'operator-notice';

/** Fetch the operator's new notices, keep them, and emit `operator-notice` for each one not seen before. */
export async function fetchOperatorNotices(c: Core, emit: (n: OperatorNotice) => void): Promise<OperatorNotice[]> {
  const { notices } = await c.a.notices();
  const fresh: OperatorNotice[] = [];
  await c.store.transaction(async (tx) => {
    for (const n of notices) {
      if (await tx.get(NS_OPERATOR_NOTICES, n.id)) continue;
      const notice: OperatorNotice = { id: n.id, kind: n.kind, text: n.text, at: n.at };
      await tx.put(NS_OPERATOR_NOTICES, n.id, json(notice));
      fresh.push(notice);
    }
  });
  for (const n of fresh) emit(n);
  return fresh;
}

/** Every notice this device has received from the operator, oldest first. */
export async function listOperatorNotices(c: Core): Promise<OperatorNotice[]> {
  return (await c.store.list(NS_OPERATOR_NOTICES)).map((e) => parse<OperatorNotice>(e.value)).sort((a, b) => a.at - b.at);
}
