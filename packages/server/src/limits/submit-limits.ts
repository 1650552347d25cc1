// The abuse limit a submission passes before the Delivery Service looks at it: the sender's queued-bytes quota.
// Called from the HTTP route and the WebSocket gateway. (Devices added per hour by young accounts are counted by the
// Delivery Service from the verified commit: GroupCaps.onDevicesAdded.)
import type { Session } from '../auth/auth-service.js';
import type { SubmitInput } from '../delivery/delivery-service.js';
import type { AppContext } from '../http/context.js';

export async function checkSubmitLimits(ctx: AppContext, session: Session, input: SubmitInput): Promise<void> {
  await ctx.quota.checkSubmit(session.account, input.message.length + (input.welcome?.length ?? 0));
}
