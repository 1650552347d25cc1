// The abuse limits a submission passes before the Delivery Service stores it: the sender's queued-bytes quota, and
// for young accounts the devices added to groups per hour. Called from the HTTP route and the WebSocket gateway;
// they belong in the Delivery Service's submit path.
import type { Session } from '../auth/auth-service.js';
import type { SubmitInput } from '../delivery/delivery-service.js';
import type { AppContext } from '../http/context.js';

export async function checkSubmitLimits(ctx: AppContext, session: Session, input: SubmitInput): Promise<void> {
  await ctx.quota.checkSubmit(session.account, input.message.length + (input.welcome?.length ?? 0));
  // The devices a commit adds, from the client's addDevices hint until the Delivery Service derives them from the
  // verified commit; then this call moves there (and counts only accepted commits). Today a refused commit counts too.
  const added = input.addDevices?.length ?? 0;
  if (added > 0) await ctx.groupCaps.onDevicesAdded(session.account, added, ctx.clock.now());
}
