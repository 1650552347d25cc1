// The abuse limits a submission passes before the Delivery Service stores it: the sender's queued-bytes quota.
// Called from the HTTP route and the WebSocket gateway; they belong in the Delivery Service's submit path.
import type { Session } from '../auth/auth-service.js';
import type { SubmitInput } from '../delivery/delivery-service.js';
import type { AppContext } from '../http/context.js';

export async function checkSubmitLimits(ctx: AppContext, session: Session, input: SubmitInput): Promise<void> {
  await ctx.quota.checkSubmit(session.account, input.message.length + (input.welcome?.length ?? 0));
}
