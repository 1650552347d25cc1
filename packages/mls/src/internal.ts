// @sotto/mls/internal: the framing and state pieces under the public API, for tests of other packages that forge
// messages the public API refuses to build (a leaf posing as another device, a re-signed handshake). Not a stable
// API: applications use the package index.
export { signContent } from './framing/content-auth.js';
export { protectPublicMessage } from './framing/public-message.js';
export { epochOf } from './group/framing-glue.js';
export { makeState } from './group/state.js';
export { decodeMlsMessage, encodeMlsMessage } from './wire/mls-message.js';
