// @sotto/server: programmatic entry points (tests, embedding).

export { type Config, generateConfigYaml, loadConfig } from './config/config.js';
export { routingHeader } from './delivery/mls-routing.js';
export { type ErrorCode, ErrorCodes, SottoError } from './errors.js';
export type { Fanout } from './fanout/fanout.js';
export { openStorage, type RunningServer, startServer, VERSION } from './server.js';
export type { Storage } from './storage/storage.js';
export type { Moderation } from './moderation/moderation.js';
export { ModerationService } from './moderation/moderation-service.js';
export { verifyModerationLog } from './moderation/moderation-log.js';
export { verifyEvidence } from './moderation/evidence-verify.js';
