// Leaving a group (RFC 9420 §12.1.3): the leaving device proposes the removal of its account's leaves, and another
// member commits them by reference. The decisions are the engine's (engine/reduce-leave.ts); this shell sends and stores.

import { epoch as epochOf } from '@sotto/mls';
import { leaveCommit } from '../engine/index.js';
import { leavesOf, metaOf, pendingRemovals } from '../mls/mls-adapter.js';
import { ApiError } from '../transport/api-error.js';
import { sleep } from '../util/mutex.js';
import { ClientError } from './client-error.js';
import { recordLeaves } from './leave-notices.js';
import { COMMIT_ATTEMPTS, type Core } from './ports.js';
import { NS } from './records.js';

/**
 * Leave (RFC 9420 §12.1.3): propose the removal of every leaf of this account, this device's own last (so that, if a
 * member commits the first ones before the rest arrive, this device is still there to propose the rest in the next
 * epoch), each as a PublicMessage the server verifies. The group state caching each accepted proposal is stored at
 * once: the commit that removes us references them. Once all are accepted the conversation is marked left, with a
 * "you left" line. STALE_EPOCH (a commit came first): catch up and propose again in the new epoch.
 */
export async function proposeLeave(c: Core, id: string): Promise<void> {
  const me = c.need().accountName;
  for (let attempt = 0; ; attempt++) {
    const r = await c.lock.run(async () => {
      const { rec, group } = c.conv(id);
      if (rec.state === 'removed') return 'done' as const;
      const own = group.ownLeaf;
      const leaves = leavesOf(group)
        .filter((l) => l.account === me)
        .map((l) => l.leafIndex)
        .sort((a, b) => Number(a === own) - Number(b === own));
      let g = group;
      for (const leaf of leaves) {
        const p = c.m.proposeRemove(g, leaf);
        try {
          await c.a.submit(p.message);
        } catch (e) {
          if (e instanceof ApiError && e.code === 'STALE_EPOCH') return 'stale' as const;
          throw e;
        }
        g = p.group;
        const work = c.newWork();
        await c.store.transaction(async (tx) => {
          await tx.put(NS.group, id, c.m.serialize(g));
          work.groups.set(id, g);
        });
        c.finish(work);
      }
      if (rec.state === 'left') return 'done' as const;
      const work = c.newWork();
      const items = await c.store.transaction(async (tx) => {
        await c.putRec(tx, { ...rec, state: 'left' }, work);
        return recordLeaves(tx, id, epochOf(group), [me], me, c.now());
      });
      c.finish(work);
      for (const m of items) c.events.emit('message', m);
      const info = c.info(id);
      if (info) c.events.emit('conversation', info);
      return 'done' as const;
    });
    if (r === 'done') return;
    if (attempt + 1 >= COMMIT_ATTEMPTS) throw new ClientError('CONFLICT', 'the group kept moving; leave not accepted');
    await c.receiver.catchUp();
    await sleep(Math.floor(((c.rng(1)[0] ?? 0) / 255) * 25 * (attempt + 1)));
  }
}

/**
 * Commit, by reference, the Remove proposals members made of their own devices (they are leaving), dropping those
 * who leave entirely from the admins in the same commit. The first member to commit wins; the others find nothing
 * left to commit once they caught up (commitWith's STALE_EPOCH path).
 */
export async function commitLeaves(c: Core, id: string): Promise<void> {
  const me = c.need().accountName;
  let departing: string[] = [];
  await c.commits.commitWith(id, (group) => {
    const plan = leaveCommit({ me, meta: metaOf(group), leaves: leavesOf(group), pending: pendingRemovals(group) });
    departing = plan?.departing ?? [];
    return plan && { out: c.m.commitPending(group, plan.meta), submit: {}, left: plan.departing };
  });
  const group = c.groups.get(id);
  if (departing.length === 0 || !group) return;
  // Our own commit is adopted by commitWith, not received: the "X left" lines and the event are told here.
  const items = await c.store.transaction((tx) => recordLeaves(tx, id, epochOf(group), departing, me, c.now()));
  for (const m of items) c.events.emit('message', m);
  c.events.emit('membership', { conversationId: id, by: me, added: [], removed: [], left: departing });
}
