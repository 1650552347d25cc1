// The contract between the page and the Web Worker that runs the client SDK (MLS, store, sync). The page never holds
// a key or runs MLS: it calls the worker by method name and receives the client's events.

import type { ClientEvents, SottoClient } from '@sotto/client';

/** SottoClient methods the page may call through the worker, by name, with the SDK's own arguments and results. */
export const CLIENT_CALLS = [
  'listConversations',
  'getConversation',
  'createDirect',
  'createGroup',
  'addMembers',
  'removeMembers',
  'rename',
  'setRole',
  'setDisappearingTimer',
  'leave',
  'sendText',
  'react',
  'edit',
  'deleteForEveryone',
  'markRead',
  'setTyping',
  'listMessages',
  'getMessage',
  'listContacts',
  'safetyNumber',
  'markVerified',
  'verifySafetyNumber',
  'acceptKeyChange',
  'block',
  'unblock',
  'acceptRequest',
  'deleteRequest',
  'listDevices',
  'renameDevice',
  'unlinkDevice',
  'inspectLink',
  'approveLink',
  'updateSettings',
  'pendingSends',
  'sync',
  'reportablePrevious',
  'reportDraft',
  'report',
  'operatorNotices',
] as const satisfies readonly (keyof SottoClient)[];
export type ClientCall = (typeof CLIENT_CALLS)[number];

type Fn = (...args: never[]) => unknown;
type Remote<F> = F extends Fn ? (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>> : never;

export interface Me {
  account: string;
  deviceId: string;
  accountKey: string;
  isPrimary: boolean;
  serverUrl: string;
}

/** Where this browser's profile stands when the page opens. */
export type Boot =
  { state: 'new' } | { state: 'locked' } | { state: 'ready'; me: Me; settings: SottoClient['settings']; connection: ConnectionState };

export type ConnectionState = ClientEvents['connection']['state'];

export interface ProfileCalls {
  /** Open this browser's profile (the store key from IndexedDB) if there is one. */
  boot(): Promise<Boot>;
  /** Open a profile protected by a passphrase. */
  unlock(passphrase: string): Promise<Boot>;
  /** Create the account with this browser as its first device, from an invite token. */
  register(o: { account: string; invite?: string; deviceName?: string; passphrase?: string }): Promise<Boot>;
  /** Start linking this browser to an existing account: show `qr`/`code`; the event 'linked' follows the approval. */
  beginLink(o: { account: string; deviceName?: string; passphrase?: string }): Promise<{ qr: string; code: string; deviceId: string }>;
  /** Encrypt, upload and send a file; progress events carry `uploadId`. */
  sendFile(conversationId: string, file: Blob, o: { fileName: string; mimeType?: string; uploadId: string }): Promise<string>;
  /** Download, check and decrypt an attachment. */
  download(conversationId: string, messageId: string): Promise<Blob>;
  /** Messages of every conversation whose decrypted text contains `query` (case-insensitive), newest first. */
  search(query: string, limit?: number): Promise<Array<{ conversationId: string; id: string; text: string; sentAt: number }>>;
  /** Local preferences kept in the encrypted store: muted and archived conversations. */
  prefs(): Promise<LocalPrefs>;
  setPrefs(patch: Partial<Omit<LocalPrefs, 'notices'>>): Promise<LocalPrefs>;
  /** Mark a notice seen: it goes away. */
  dismissNotice(id: string): Promise<LocalPrefs>;
  /** Forget this browser's profile: stop, delete the store and its key. */
  wipe(): Promise<void>;
}

export interface LocalPrefs {
  muted: string[];
  archived: string[];
  /** Conversation id -> the seq of the last message the user has seen. */
  lastRead: Record<string, number>;
  /** Key-change, device and security notices, kept until the user dismisses them. */
  notices: StoredNotice[];
  /** Ids of the operator's notices (SottoClient.operatorNotices) the user has read: the others show as a banner. */
  operatorSeen: string[];
}

/** Notices come from the client's own checks (identity rule, key-change tracker), never from a server answer. */
export interface StoredNotice {
  id: string;
  kind: 'key-change' | 'device-added' | 'device-removed' | 'security';
  account: string;
  conversationId?: string;
  detail?: string;
  at: number;
}

export type WorkerApi = { [K in ClientCall]: Remote<SottoClient[K]> } & ProfileCalls;
export type WorkerMethod = keyof WorkerApi;

/** Events the worker sends besides the client's own. */
export interface WorkerEvents extends ClientEvents {
  linked: { me: Me };
  'link-failed': { code: string; message: string };
  progress: { uploadId: string; done: number; total: number };
  notices: StoredNotice[];
}

export type PageToWorker = { id: number; method: WorkerMethod; args: unknown[] };

export interface WireError {
  name: string;
  code: string;
  message: string;
}

export type WorkerToPage =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError } | { event: keyof WorkerEvents; payload: unknown };

/** Events forwarded from the client to the page. */
export const FORWARDED_EVENTS = [
  'message',
  'message-updated',
  'message-removed',
  'conversation',
  'request',
  'typing',
  'membership',
  'device-change',
  'key-change',
  'security',
  'connection',
  'synced',
  'warning',
  'undecryptable',
  'send-failed',
  'operator-notice',
] as const satisfies readonly (keyof ClientEvents)[];
