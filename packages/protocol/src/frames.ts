// WebSocket frames of `/v1/ws` (JSON text, docs/websocket.md): their types both ways, and the decoder a client runs
// on every server frame, so that nothing acts on a frame before its fields are checked.

import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import type { SubmitRequest, WireQueuedMessage } from './http.js';
import { decodeQueuedMessage } from './http.js';
import { count, epoch, type JsonObject, object, string } from './read.js';
import { WireError } from './wire-error.js';

/** Close code: the token was refused, or the device or account lost its access. The client drops its token. */
export const WS_CLOSE_UNAUTHORIZED = 4401;
/** Close code: a newer connection of the same device replaced this one, or the server asked for a reconnect. */
export const WS_CLOSE_RECONNECT = 4000;

// ---------- client -> server ----------

export interface AuthFrame {
  type: 'auth';
  token: string;
}
/** Submits a message; answered by `sent` or `error` with the same `rid`. The fields are those of `POST /v1/messages`. */
export interface SendFrame extends SubmitRequest {
  type: 'send';
  rid: number;
}
export interface AckFrame {
  type: 'ack';
  /** At most MAX_ACK_IDS. */
  ids: number[];
  rid?: number;
}
export interface PingFrame {
  type: 'ping';
  rid?: number;
}
export type ClientFrame = AuthFrame | SendFrame | AckFrame | PingFrame;

// ---------- server -> client ----------

export interface ReadyFrame {
  type: 'ready';
  deviceId: string;
}
/** One queued message, pushed in server order. */
export interface MessageFrame extends WireQueuedMessage {
  type: 'message';
}
export interface SentFrame {
  type: 'sent';
  rid: number;
  messageId: number;
  /** The group's epoch after the message, as a decimal string (u64). */
  epoch: string;
}
export interface AckedFrame {
  type: 'acked';
  rid: number;
  /** How many of the acknowledged ids were still queued. */
  acked: number;
}
export interface PongFrame {
  type: 'pong';
  rid?: number;
}
/** A refused frame. `details` holds the extra fields (`currentEpoch` with STALE_EPOCH, `rule` with INVALID_COMMIT). */
export interface ErrorFrame {
  type: 'error';
  rid?: number;
  code: ErrorCode;
  message: string;
  details: Record<string, string | number>;
}
export type ServerFrame = ReadyFrame | MessageFrame | SentFrame | AckedFrame | PongFrame | ErrorFrame;

/** The JSON text the server sends for an error frame: the details are spread beside code and message. */
export type ErrorFrameJson = Omit<ErrorFrame, 'details'> & Record<string, string | number>;

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.hasOwn(ERROR_CODES, s);
}

/** The text of a client frame. */
export function encodeClientFrame(f: ClientFrame): string {
  return JSON.stringify(f);
}

/**
 * Decodes one server frame from its text. Throws WireError for text that is not JSON, an unknown `type`, or a missing
 * or mistyped field; the error carries the frame's `rid` when that one could be read.
 */
export function decodeServerFrame(text: string): ServerFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WireError('frame', 'JSON');
  }
  const f = object(parsed, 'frame');
  const rid = optionalRid(f);
  try {
    return decodeFields(f, rid);
  } catch (e) {
    if (e instanceof WireError && rid !== undefined) throw new WireError(e.path, e.expected, rid);
    throw e;
  }
}

function decodeFields(f: JsonObject, rid: number | undefined): ServerFrame {
  const p = 'frame';
  switch (f.type) {
    case 'ready':
      return { type: 'ready', deviceId: string(f, 'deviceId', p) };
    case 'message':
      return { type: 'message', ...decodeQueuedMessage(f, p) };
    case 'sent':
      return { type: 'sent', rid: count(f, 'rid', p), messageId: count(f, 'messageId', p), epoch: epoch(f, 'epoch', p) };
    case 'acked':
      return { type: 'acked', rid: count(f, 'rid', p), acked: count(f, 'acked', p) };
    case 'pong':
      return { type: 'pong', ...(rid === undefined ? {} : { rid }) };
    case 'error':
      return decodeErrorFrame(f, rid);
    default:
      throw new WireError(`${p}.type`, 'a known server frame type');
  }
}

function decodeErrorFrame(f: JsonObject, rid: number | undefined): ErrorFrame {
  const code = f.code;
  if (!isErrorCode(code)) throw new WireError('frame.code', 'a known error code');
  const message = string(f, 'message', 'frame');
  const details: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(f)) {
    if (k === 'type' || k === 'rid' || k === 'code' || k === 'message') continue;
    if (typeof v === 'string' || typeof v === 'number') details[k] = v;
  }
  return { type: 'error', ...(rid === undefined ? {} : { rid }), code, message, details };
}

function optionalRid(f: JsonObject): number | undefined {
  return f.rid === undefined ? undefined : count(f, 'rid', 'frame');
}
