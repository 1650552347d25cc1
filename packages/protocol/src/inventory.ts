// GET /v1/inventory: what the server stores, table by table and column by column, for how long (computed from its
// running configuration), what it does not have, and the protocol facts behind that; the web app's "what is
// protected" screen renders it. Public, no authentication. Decoders check the fields a client reads.

import { WireError } from './wire-error.js';
import { array, boolean, count, type JsonObject, object, oneOf, string, strings } from './read.js';

const B = 'body';

export const INVENTORY_CATEGORIES = [
  'account',
  'device',
  'session',
  'key-package',
  'group-metadata',
  'group-membership',
  'message-ciphertext',
  'delivery-queue',
  'attachment-ciphertext',
  'abuse-limits',
  'admin',
] as const;
export type InventoryCategory = (typeof INVENTORY_CATEGORIES)[number];

export const RETENTION_KINDS = [
  /** Deleted `seconds` after it was written (at most: a client may ask for less). */
  'seconds',
  /** Deleted once every recipient device has acknowledged it, and at the latest after `seconds`. */
  'until-delivered-or-seconds',
  /** Kept while the account exists; deleting the account deletes it. */
  'until-account-deleted',
  /** A one-time KeyPackage goes when it is claimed; a last-resort one when replaced; all go with the device. */
  'until-claimed-or-device-removed',
  /** Kept while the device is a member of the group; removal from the group, revocation or account deletion end it. */
  'until-removed',
  /** Replaced by a newer copy in the normal course (the next snapshot of a group's state). */
  'until-superseded',
  /** Kept with no automatic deletion (say why in `what`). */
  'indefinite',
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export interface Retention {
  kind: RetentionKind;
  /** For `seconds` and `until-delivered-or-seconds`: the limit the running configuration sets. */
  seconds?: number;
}

export interface InventoryItem {
  /** The table of the server's store (its SQLite schema). */
  table: string;
  /** Absent: the item is about the table as a whole (one row: what it stands for). */
  column?: string;
  /** What it is, in plain English. */
  what: string;
  category: InventoryCategory;
  /** Whether it names, or points to, an account or one of its devices. */
  aboutAccount: boolean;
  retention: Retention;
}

export interface InventoryProtocol {
  /** 'RFC 9420' */
  mls: string;
  /** MLS cipher suites (RFC 9420 §17.1) whose device certificates the server accepts. */
  ciphersuites: Array<{ id: number; name: string }>;
  /** Short true statements about the protocol that bound what the server can see. */
  facts: string[];
}

export interface InventoryResponse {
  /** `domain`: the host part of the account names this server serves (name@domain). */
  server: { version: string; domain: string };
  items: InventoryItem[];
  /** What the server does not have, each a plain-English sentence. */
  notHeld: string[];
  /** What the server holds outside its database tables (blob files, logs, memory), each a sentence. */
  elsewhere: string[];
  protocol: InventoryProtocol;
}

function retention(v: unknown, path: string): Retention {
  const o = object(v, path);
  const kind = oneOf(o, 'kind', path, RETENTION_KINDS);
  if (kind === 'seconds' || kind === 'until-delivered-or-seconds') return { kind, seconds: count(o, 'seconds', path) };
  return { kind };
}

function item(v: unknown, path: string): InventoryItem {
  const o: JsonObject = object(v, path);
  const column = o.column;
  if (column !== undefined && typeof column !== 'string') throw new WireError(`${path}.column`, 'a string');
  return {
    table: string(o, 'table', path),
    ...(column === undefined ? {} : { column }),
    what: string(o, 'what', path),
    category: oneOf(o, 'category', path, INVENTORY_CATEGORIES),
    aboutAccount: boolean(o, 'aboutAccount', path),
    retention: retention(o.retention, `${path}.retention`),
  };
}

export function decodeInventoryResponse(v: unknown): InventoryResponse {
  const o = object(v, B);
  const p = object(o.protocol, `${B}.protocol`);
  return {
    server: {
      version: string(object(o.server, `${B}.server`), 'version', `${B}.server`),
      domain: string(object(o.server, `${B}.server`), 'domain', `${B}.server`),
    },
    items: array(o, 'items', B).map((x, i) => item(x, `${B}.items[${i}]`)),
    notHeld: strings(o, 'notHeld', B),
    elsewhere: strings(o, 'elsewhere', B),
    protocol: {
      mls: string(p, 'mls', `${B}.protocol`),
      ciphersuites: array(p, 'ciphersuites', `${B}.protocol`).map((c, i) => {
        const path = `${B}.protocol.ciphersuites[${i}]`;
        const x = object(c, path);
        return { id: count(x, 'id', path), name: string(x, 'name', path) };
      }),
      facts: strings(p, 'facts', `${B}.protocol`),
    },
  };
}
