// Loads the configuration: defaults < config file (YAML) < environment variables < command-line flags.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';
import { SottoError } from '../errors.js';
import { TrustedProxies } from '../util/trusted-proxies.js';
import { defaultWebDir } from '../web/web-build.js';
import { CONFIG_KEYS, type ConfigKey } from './schema.js';

export interface Config {
  server: {
    host: string;
    port: number;
    domain: string;
    trustProxy: boolean;
    trustedProxies: string[];
    shutdownGraceSeconds: number;
    headersTimeoutSeconds: number;
    requestTimeoutSeconds: number;
    /** Origin users reach the server at (scheme://host[:port], no trailing slash); see publicBaseUrl for the default. */
    publicUrl: string | null;
  };
  dataDir: string;
  storage: { synchronous: string };
  registration: { open: boolean; maxDevicesPerAccount: number; failuresPerHourPerIp: number };
  auth: { tokenTtlSeconds: number; challengeTtlSeconds: number; maxChallengesPerDevice: number; ratePerMinute: number };
  keyPackages: {
    maxPerDevice: number;
    claimsPerMinute: number;
    claimsPerAccountPerHour: number;
    claimsPerAccountAndTargetPerHour: number;
    claimsPerTargetPerHour: number;
  };
  directory: { lookupsPerMinute: number };
  limits: {
    maxMessageBytes: number;
    maxWelcomeBytes: number;
    maxGroupMembers: number;
    wsFramesPerSecond: number;
    maxConnections: number;
    maxConnectionsPerIp: number;
    maxUnauthenticatedPerIp: number;
    maxUnauthenticatedConnections: number;
    wsAuthTimeoutSeconds: number;
  };
  retention: { maxDays: number; maxSeconds: number | null; sweepSeconds: number };
  /** Abuse reports and their retention (docs/moderation.md). */
  moderation: { reportsPerHour: number; maxAttachmentBytesPerReport: number; resolvedRetentionDays: number };
  /** The lawful-request register (docs/for-law-enforcement.md). */
  lawful: { gagDays: number; emergencyApprovalHours: number };
  blobs: { dir: string; maxBytes: number; ttlDays: number; minBytesPerSecond: number; rateWindowSeconds: number };
  quotas: { queuedBytesPerAccount: number; blobBytesPerAccount: number };
  newAccounts: { ageSeconds: number; groupsPerHour: number; devicesAddedPerHour: number };
  abuse: {
    enabled: boolean;
    windowSeconds: number;
    maxFirstContacts: number;
    youngMaxFirstContacts: number;
    maxGroupsCreated: number;
    youngMaxGroupsCreated: number;
    maxUnansweredMessages: number;
    youngMaxUnansweredMessages: number;
    maxDeclinedRequests: number;
    youngMaxDeclinedRequests: number;
    maxReports: number;
    youngMaxReports: number;
    throttleSeconds: number;
    throttledFirstContactSeconds: number;
    requestMemorySeconds: number;
  };
  metrics: { enabled: boolean; host: string; port: number; allowRemote: boolean };
  /** The web app; `dir` is null when no directory was set and no @sotto/web package is installed. */
  web: { enabled: boolean; dir: string | null };
  log: { level: string; format: 'pretty' | 'json' };
}

type Value = string | number | boolean | string[] | null;
type Flat = Map<string, Value>;

function coerce(key: ConfigKey, raw: unknown, source: string): Value {
  if (raw === null || raw === undefined) return key.default;
  if (key.type === 'list') {
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : undefined;
    if (!items || items.some((i) => typeof i !== 'string'))
      throw new SottoError('VALIDATION', `${key.path} (${source}) must be a list of strings`);
    return (items as string[]).map((i) => i.trim()).filter((i) => i !== '');
  }
  if (key.type === 'string') {
    if (typeof raw !== 'string' && typeof raw !== 'number') throw new SottoError('VALIDATION', `${key.path} (${source}) must be a string`);
    return String(raw);
  }
  if (key.type === 'bool') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    throw new SottoError('VALIDATION', `${key.path} (${source}) must be true or false`);
  }
  const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!Number.isInteger(n) || (key.min !== undefined && n < key.min) || (key.max !== undefined && n > key.max)) {
    throw new SottoError('VALIDATION', `${key.path} (${source}) must be an integer in [${key.min}, ${key.max}]`);
  }
  return n;
}

function lookup(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function checkUnknownKeys(obj: unknown, prefix = ''): void {
  if (obj === null || typeof obj !== 'object') return;
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (CONFIG_KEYS.some((c) => c.path === path)) continue;
    if (CONFIG_KEYS.some((c) => c.path.startsWith(`${path}.`))) checkUnknownKeys(v, path);
    else throw new SottoError('VALIDATION', `unknown config key ${path}`);
  }
}

export interface LoadOptions {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Flag overrides by config path, e.g. { 'server.port': 9000 }. */
  overrides?: Record<string, string | number | boolean | undefined>;
  cwd?: string;
  /** Whether stdout is a terminal (default: process.stdout.isTTY); decides the default log.format. */
  stdoutIsTty?: boolean;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.SOTTO_CONFIG;
  let fileObj: unknown = {};
  if (file) {
    const text = readFileSync(file, 'utf8');
    try {
      fileObj = YAML.parse(text) ?? {};
    } catch {
      throw new SottoError('VALIDATION', `config file ${file} is not valid YAML`);
    }
    checkUnknownKeys(fileObj);
  }
  const flat: Flat = new Map();
  for (const key of CONFIG_KEYS) {
    let v = coerce(key, lookup(fileObj, key.path), 'config file');
    const e = env[key.env];
    if (e !== undefined && e !== '') v = coerce(key, e, key.env);
    const o = opts.overrides?.[key.path];
    if (o !== undefined) v = coerce(key, o, 'command line');
    flat.set(key.path, v);
  }
  const cfg: Record<string, unknown> = {};
  for (const [path, v] of flat) {
    const parts = path.split('.');
    let cur = cfg;
    for (const p of parts.slice(0, -1)) {
      cur[p] ??= {};
      cur = cur[p] as Record<string, unknown>;
    }
    cur[parts[parts.length - 1] as string] = v;
  }
  const c = cfg as unknown as Config;
  c.dataDir = resolve(opts.cwd ?? process.cwd(), c.dataDir);
  if (c.blobs.dir === null) c.blobs.dir = resolve(c.dataDir, 'blobs');
  else c.blobs.dir = resolve(opts.cwd ?? process.cwd(), c.blobs.dir);
  // retention.maxSeconds, when unset, follows retention.maxDays.
  if (c.retention.maxSeconds === null) c.retention.maxSeconds = c.retention.maxDays * 86400;
  c.web.dir = c.web.dir === null ? defaultWebDir() : resolve(opts.cwd ?? process.cwd(), c.web.dir);
  if (c.server.publicUrl !== null) c.server.publicUrl = parsePublicUrl(c.server.publicUrl, 'server.publicUrl (SOTTO_PUBLIC_URL)');
  if (c.metrics.port === null) c.metrics.port = c.server.port === 0 ? 0 : c.server.port + 1;
  if (c.server.trustProxy)
    throw new SottoError(
      'VALIDATION',
      'server.trustProxy (SOTTO_TRUST_PROXY) is replaced by server.trustedProxies (SOTTO_TRUSTED_PROXIES): list the addresses of your reverse proxies, e.g. 127.0.0.1',
    );
  new TrustedProxies(c.server.trustedProxies); // refuses a malformed entry at startup
  if (!c.metrics.allowRemote && !isLoopback(c.metrics.host))
    throw new SottoError(
      'VALIDATION',
      `metrics.host ${c.metrics.host} is not a loopback address: /metrics has no authentication, so serving it elsewhere ` +
        'needs metrics.allowRemote: true (SOTTO_METRICS_ALLOW_REMOTE=true) and a firewall that only lets your Prometheus in',
    );
  if (!['full', 'normal'].includes(c.storage.synchronous)) throw new SottoError('VALIDATION', 'storage.synchronous must be full or normal');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(c.log.level))
    throw new SottoError('VALIDATION', 'log.level is not a level');
  (c.log as { format: string | null }).format ??= (opts.stdoutIsTty ?? process.stdout.isTTY === true) ? 'pretty' : 'json';
  if (!['pretty', 'json'].includes(c.log.format)) throw new SottoError('VALIDATION', 'log.format must be pretty or json');
  return c;
}

/**
 * An http(s) origin without path, query, fragment or credentials, returned as `scheme://host[:port]` (no trailing
 * slash). `what` names the setting in the error.
 */
export function parsePublicUrl(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SottoError('VALIDATION', `${what} must be an http(s) URL such as https://chat.example.org`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SottoError('VALIDATION', `${what} must start with http:// or https://`);
  if (u.username !== '' || u.password !== '') throw new SottoError('VALIDATION', `${what} must not hold a user name or password`);
  if (u.pathname !== '/' || u.search !== '' || u.hash !== '' || /[?#]/.test(raw))
    throw new SottoError('VALIDATION', `${what} must have no path, query or fragment (e.g. https://chat.example.org)`);
  return u.origin;
}

/** The base URL of links handed to users: server.publicUrl, or http://host:port of the listener. */
export function publicBaseUrl(c: Config): string {
  if (c.server.publicUrl !== null) return c.server.publicUrl;
  const host = c.server.host === '0.0.0.0' || c.server.host === '::' || c.server.host === '' ? '127.0.0.1' : c.server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${c.server.port}`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

/** The commented YAML written by `sotto-server generate-config`. */
export function generateConfigYaml(): string {
  const lines = ['# Sotto server configuration. Every key can be overridden by the environment variable named beside it.', ''];
  let section = '';
  for (const k of CONFIG_KEYS) {
    const parts = k.path.split('.');
    const top = parts.length > 1 ? (parts[0] as string) : '';
    if (top !== section) {
      if (top) lines.push('', `${top}:`);
      section = top;
    }
    const indent = parts.length > 1 ? '  ' : '';
    lines.push(`${indent}# ${k.doc}`, `${indent}# env: ${k.env}`);
    const name = parts[parts.length - 1];
    const value =
      k.default === null
        ? 'null'
        : typeof k.default === 'string' || Array.isArray(k.default)
          ? JSON.stringify(k.default)
          : String(k.default);
    lines.push(`${indent}${name}: ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
