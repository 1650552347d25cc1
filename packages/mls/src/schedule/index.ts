// The key schedule (RFC 9420 §8), PSKs (§8.4), transcript hashes (§8.2), secret tree (§9) and Welcome secrets (§12.4.3.1).
export * from './key-schedule.js';
export * from './psk.js';
export * from './secret-tree.js';
export * from './transcript-hash.js';
export * from './welcome.js';
