// @sotto/protocol: the contract between the Sotto server and its clients. Values both sides must agree on live
// here once and are imported by each side, never retyped.

/**
 * How many epochs before the current one a member keeps the keys of (RFC 9420 §14 leaves this to the application),
 * so that application messages sent just before a commit still decrypt. The Delivery Service refuses, with
 * STALE_EPOCH, an application message older than this window: no member could read it, and the sender must
 * encrypt it again at the current epoch.
 */
export const PAST_EPOCHS = 4;
