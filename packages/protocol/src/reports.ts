// Abuse reports (docs/moderation.md): what a recipient sends to `POST /v1/reports`. Each reported message is opened
// with its franking key and carries the server's stamp for the reporting device (docs/franking.md), so the server
// verifies it without being able to read any message that was not reported.
import { base64, boolean, count, type JsonObject, object, oneOf, string } from './read.js';

/** One reported message plus at most this many earlier messages of the same conversation, chosen by the reporter. */
export const MAX_REPORT_PREVIOUS = 20;
export const MAX_REPORT_MESSAGES = 1 + MAX_REPORT_PREVIOUS;
/** The reporter's own words, in characters. */
export const MAX_REPORT_REASON_CHARS = 1000;
/** Largest encoded content one reported message may carry (the content limit of docs/content-format.md, rounded up). */
export const MAX_REPORTED_CONTENT_BYTES = 256 * 1024;

export const REPORT_CATEGORIES = ['spam', 'harassment', 'threat', 'child-safety', 'illegal', 'impersonation', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** A reported message as the reporting device received and decrypted it. Byte strings are standard base64. */
export interface ReportedMessage {
  /** The device and account the server stamped as the sender (the MLS sender the recipient checked). */
  senderDevice: string;
  senderAccount: string;
  /** The server's receive time from the delivery, milliseconds since the Unix epoch. */
  receivedAt: number;
  /** The 16-byte franking key from the decrypted application data. */
  frankingKey: string;
  /** The encoded content exactly as decrypted (docs/content-format.md). */
  content: string;
  /** The commitment from the PrivateMessage's authenticated_data. */
  commitment: string;
  /** The server's stamp delivered to the reporting device with the message. */
  stamp: string;
}

/**
 * POST /v1/reports: the first message is the one reported; when it was edited, the edit follows it (another franked
 * message with the same sender); the others are earlier context, oldest first.
 */
export interface ReportRequest {
  /** The conversation's MLS group id; every message must come from it. */
  groupId: string;
  category: ReportCategory;
  reason: string;
  messages: ReportedMessage[];
}

export interface ReportResponse {
  /** The report's id in the operator's queue. */
  id: string;
  /** Whether every message's commitment and stamp verified. */
  verified: boolean;
}

export function decodeReportResponse(v: unknown): ReportResponse {
  const o = object(v, 'body');
  return { id: string(o, 'id', 'body'), verified: boolean(o, 'verified', 'body') };
}

/** Decodes one reported message (the server validates with its schema first; this is for tools that read reports). */
export function decodeReportedMessage(o: JsonObject, path: string): ReportedMessage {
  return {
    senderDevice: string(o, 'senderDevice', path),
    senderAccount: string(o, 'senderAccount', path),
    receivedAt: count(o, 'receivedAt', path),
    frankingKey: base64(o, 'frankingKey', path),
    content: base64(o, 'content', path),
    commitment: base64(o, 'commitment', path),
    stamp: base64(o, 'stamp', path),
  };
}

export function decodeReportCategory(o: JsonObject, path: string): ReportCategory {
  return oneOf(o, 'category', path, REPORT_CATEGORIES);
}
