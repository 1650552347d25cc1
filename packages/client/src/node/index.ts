// @sotto/client/node entry point: Node-only parts (SQLite store, key file, passphrase wrapping, the Node client). Import portable parts from '@sotto/client'.

export { createKeyFile, readKeyFile } from './key-file.js';
export { type NodeClientOptions, nodeWebSocket, openNodeClient, saveAttachment, sendFile } from './node-client.js';
export { DEFAULT_SCRYPT, type ScryptParams, unwrapStorageKey, wrapStorageKey } from './passphrase.js';
export { SqliteBackend } from './sqlite-backend.js';
export { openSqliteStore, type SqliteKeySource, type SqliteStoreOptions } from './sqlite-store.js';
