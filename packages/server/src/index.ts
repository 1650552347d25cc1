// @sotto/server: programmatic entry points (tests, embedding).
export { startServer, openStorage, VERSION, type RunningServer } from './server.js';
export { loadConfig, generateConfigYaml, type Config } from './config/config.js';
export { SottoError, ErrorCodes, type ErrorCode } from './errors.js';
export { parseMlsHeader } from './delivery/mls-header.js';
export type { Storage } from './storage/storage.js';
export type { Fanout } from './fanout/fanout.js';
