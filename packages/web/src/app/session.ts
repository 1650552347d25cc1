// The live state of a signed-in page: conversations, unread counts, connection, typing, and the worker's API. One
// object owned by App; screens read it through useSession() and re-render on its `version`.

import type { ClientSettings, ConversationInfo, OperatorNotice, StoredMessage } from '@sotto/client';
import { createContext, useContext } from 'react';
import type { LocalPrefs, Me, WorkerApi } from '../worker/protocol.js';
import type { Bridge } from './bridge.js';

export interface Summary {
  last?: StoredMessage;
  unread: number;
}

export interface SessionState {
  me: Me;
  settings: ClientSettings;
  prefs: LocalPrefs;
  conversations: ConversationInfo[];
  summaries: Record<string, Summary>;
  connection: 'connecting' | 'online' | 'offline';
  typing: Record<string, string[]>;
  /** Bumped whenever this page learns that a contact's verification or block changed (badges re-read it). */
  contactsVersion: number;
  /** The operator's notices to this account that this device received, oldest first (read or not: prefs.operatorSeen). */
  operatorNotices: OperatorNotice[];
}

export interface Session {
  bridge: Bridge;
  api: WorkerApi;
  state: SessionState;
  update(patch: Partial<SessionState> | ((s: SessionState) => Partial<SessionState>)): void;
  refreshConversations(): Promise<void>;
  setPrefs(patch: Partial<Omit<LocalPrefs, 'notices'>>): Promise<void>;
  dismissNotice(id: string): Promise<void>;
  /** Mark these operator notices read: they leave the banner and stay in the list. */
  markOperatorSeen(ids: string[]): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** Display name of a conversation: the group's name, or the peer's account for a 1:1. */
export function conversationTitle(c: ConversationInfo): string {
  return c.kind === 'direct' ? (c.peer ?? c.name) : c.name || c.members.map((m) => m.account.split('@')[0]).join(', ');
}
