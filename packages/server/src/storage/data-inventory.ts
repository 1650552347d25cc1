// The data inventory: every table and column the server's store keeps (sqlite/migrations.ts), what it is, whether it
// is about an account, and how long it stays under the running configuration; plus what the server does not have.
// Served at GET /v1/inventory; a test compares it with the live schema, so a new column cannot go unlisted.
import { ED25519_SUITES } from '@sotto/identity';
import { CipherSuiteId } from '@sotto/mls';
import {
  GROUP_META_EXTENSION,
  type InventoryCategory,
  type NotHeldCategory,
  type InventoryItem,
  type InventoryResponse,
  type Retention,
} from '@sotto/protocol';
import type { Config } from '../config/config.js';
import { ADMIN_EVENT_KEEP_MS } from '../admin/admin-service.js';
import { HOLD_DAYS } from '../lawful/preservation.js';

interface ColumnSpec {
  what: string;
  aboutAccount: boolean;
  /** A credential or its hash: never disclosed, whatever is asked (a lawful answer says it was withheld). */
  secret?: true;
  /** Default: the table's category and retention. */
  category?: InventoryCategory;
  retention?: (c: Config) => Retention;
}

/**
 * How a lawful answer finds an account's rows in a table (lawful/, docs/for-law-enforcement.md): an SQL condition
 * whose every `?` is the account name, or why the table is never searched for one.
 */
export type AccountLookup = { where: string } | { withheld: string };

interface TableSpec {
  what: string;
  category: InventoryCategory;
  aboutAccount: boolean;
  retention: (c: Config) => Retention;
  columns: Readonly<Record<string, ColumnSpec>>;
  /** Required for every table about an account (the inventory test checks it and runs it). */
  lookup?: AccountLookup;
}

/** The account's device ids, inside a lookup. */
const DEVICES_OF = '(SELECT device_id FROM devices WHERE account = ?)';
/** The groups the account's devices are leaves of. */
const GROUPS_OF = `(SELECT group_id FROM group_members WHERE device_id IN ${DEVICES_OF})`;

const messageRetention = (c: Config): Retention => ({
  kind: 'until-delivered-or-seconds',
  seconds: c.retention.maxSeconds ?? c.retention.maxDays * 86400,
});
const accountLife = (): Retention => ({ kind: 'until-account-deleted' });
const removed = (): Retention => ({ kind: 'until-removed' });
const indefinite = (): Retention => ({ kind: 'indefinite' });
/** Reported content: kept while the report is open, deleted moderation.resolvedRetentionDays after it is resolved. No
 * retention kind says "after resolution", so the nearest one, `seconds`, carries that limit; `what` says from when. */
const resolvedContent = (c: Config): Retention => ({ kind: 'seconds', seconds: c.moderation.resolvedRetentionDays * 86400 });
const abuseWindow = (c: Config): Retention => ({ kind: 'seconds', seconds: c.abuse.windowSeconds });

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0').toUpperCase()}`;

/** Table name -> what it holds. The order is the order of the response. */
export const DATA_INVENTORY: Readonly<Record<string, TableSpec>> = {
  accounts: {
    what: 'One row per account: its name and public identity key.',
    category: 'account',
    aboutAccount: true,
    retention: accountLife,
    lookup: { where: 'name = ?' },
    columns: {
      name: { what: 'The account name (name@domain).', aboutAccount: true },
      account_key: { what: "The account's public Ed25519 identity key (never a private key).", aboutAccount: true },
      status: { what: 'active or suspended (set by an operator).', aboutAccount: true, category: 'admin' },
      created_at: { what: 'When the account was registered.', aboutAccount: true },
    },
  },
  devices: {
    what: 'One row per device an account registered, revoked ones included: the row stays (with the signed revocation) so that a revoked device id is never taken again.',
    category: 'device',
    aboutAccount: true,
    retention: accountLife,
    lookup: { where: 'account = ?' },
    columns: {
      device_id: { what: 'The device id.', aboutAccount: true },
      account: { what: 'The account the device belongs to.', aboutAccount: true },
      certificate: {
        what: "The device certificate: account name, account public key, device id, cipher suite and the device's public MLS signature key, signed by the account key.",
        aboutAccount: true,
      },
      signature_key: { what: "The device's public MLS signature key (a copy of the one in the certificate).", aboutAccount: true },
      cipher_suite: { what: 'The MLS cipher suite of the device (RFC 9420 §17.1).', aboutAccount: false },
      created_at: { what: 'When the device was registered.', aboutAccount: true },
      revoked_at: { what: 'When the device was revoked, if it was.', aboutAccount: true },
      revocation: { what: 'The revocation statement signed by the account key, if the device was revoked.', aboutAccount: true },
      name: {
        what: 'The device\'s name (e.g. "laptop"), in clear: chosen by the account\'s devices, shown only to them, emptied when the device is revoked.',
        aboutAccount: true,
        retention: removed,
      },
    },
  },
  tokens: {
    what: 'Session tokens of logged-in devices (obtained by signing a login challenge).',
    category: 'session',
    aboutAccount: true,
    retention: (c) => ({ kind: 'seconds', seconds: c.auth.tokenTtlSeconds }),
    lookup: { where: 'account = ?' },
    columns: {
      id: { what: 'The public half of the token, to find it.', aboutAccount: false, secret: true },
      secret_hash: { what: 'SHA-256 of the secret half; the token itself is not stored.', aboutAccount: false, secret: true },
      device_id: { what: 'The device the token authenticates.', aboutAccount: true },
      account: { what: "The device's account.", aboutAccount: true },
      expires_at: {
        what: 'When the token stops working (it is deleted at the next sweep after that): a login happened auth.tokenTtlSeconds before.',
        aboutAccount: false,
      },
    },
  },
  key_packages: {
    what: 'KeyPackages (RFC 9420 §10) a device uploaded so that others can add it to groups: public keys only.',
    category: 'key-package',
    aboutAccount: true,
    retention: () => ({ kind: 'until-claimed-or-device-removed' }),
    lookup: { where: `device_id IN ${DEVICES_OF}` },
    columns: {
      id: { what: 'Row number (upload order).', aboutAccount: false },
      device_id: { what: 'The device that uploaded it.', aboutAccount: true },
      data: {
        what: "The KeyPackage: the device's public HPKE init key and its leaf (public keys and device certificate), signed.",
        aboutAccount: true,
      },
      last_resort: { what: 'Whether it is the reusable last-resort KeyPackage (RFC 9420 §16.8).', aboutAccount: false },
    },
  },
  groups: {
    what:
      'One row per MLS group (every conversation, 1:1 included). Kept while the group exists: the server deletes a group only when ' +
      'its creator abandons it before the first commit; a group whose members have all left stays.',
    category: 'group-metadata',
    aboutAccount: false,
    retention: indefinite,
    lookup: { where: `group_id IN ${GROUPS_OF}` },
    columns: {
      group_id: { what: 'The MLS group id: random bytes chosen by the creating client.', aboutAccount: false },
      epoch: { what: 'The current MLS epoch (how many commits the group has had).', aboutAccount: false },
      created_at: { what: 'When the group was created.', aboutAccount: false },
      updated_at: { what: 'When its last proposal or commit was accepted.', aboutAccount: false },
      state_version: { what: 'Counter of accepted handshakes (for compare-and-set).', aboutAccount: false },
      group_info: {
        what:
          'The latest GroupInfo (RFC 9420 §12.4.3) as the last committer uploaded it, signed but not encrypted: the group context ' +
          '(id, epoch, tree hash, extensions with roles and timer) and the public key for an external rejoin.',
        aboutAccount: true,
      },
    },
  },
  group_states: {
    what:
      "Each group's public MLS state, which the server needs to verify commits: the ratchet tree with every leaf's public keys and " +
      `device certificate, and the group context with its extensions: the conversation kind (direct or group), owner, admins and disappearing-message timer (extension ${hex4(GROUP_META_EXTENSION)}). No epoch secret, no private key, no group name.`,
    category: 'group-metadata',
    aboutAccount: true,
    retention: indefinite,
    lookup: { where: `group_id IN ${GROUPS_OF}` },
    columns: {
      group_id: { what: 'The MLS group id.', aboutAccount: false },
      snapshot_version: { what: 'The handshake counter the snapshot was taken at.', aboutAccount: false },
      state: { what: 'The serialized public state (tree, certificates, group context).', aboutAccount: true },
    },
  },
  group_log: {
    what: 'Handshakes accepted since the last snapshot of a group state, replayed on load; cleared when a new snapshot is written.',
    category: 'group-metadata',
    aboutAccount: true,
    retention: () => ({ kind: 'until-superseded' }),
    lookup: { where: `group_id IN ${GROUPS_OF}` },
    columns: {
      group_id: { what: 'The MLS group id.', aboutAccount: false },
      version: { what: 'The handshake counter.', aboutAccount: false },
      message: {
        what: 'The proposal or commit: an MLS PublicMessage, signed, not encrypted (adds carry KeyPackages, removes name leaves).',
        aboutAccount: true,
      },
      at: { what: 'When it was accepted.', aboutAccount: false },
    },
  },
  group_members: {
    what: 'The delivery list: which devices are leaves of which group (derived from the verified MLS tree, never from client hints).',
    category: 'group-membership',
    aboutAccount: true,
    retention: removed,
    lookup: { where: `device_id IN ${DEVICES_OF}` },
    columns: {
      group_id: { what: 'The MLS group id.', aboutAccount: false },
      device_id: { what: 'A member device.', aboutAccount: true },
    },
  },
  messages: {
    what:
      'Queued MLS messages waiting for their recipients: application messages (PrivateMessage ciphertext), proposals and commits ' +
      '(signed PublicMessages), and Welcomes (encrypted to the devices they add). Deleted when the last recipient acknowledges, at ' +
      'the latest after retention.maxSeconds (or the shorter lifetime its sender asked for).',
    category: 'message-ciphertext',
    aboutAccount: true,
    retention: messageRetention,
    lookup: { where: `sender_account = ? OR id IN (SELECT message_id FROM deliveries WHERE device_id IN ${DEVICES_OF})` },
    columns: {
      id: { what: 'Message number (the order of the queue).', aboutAccount: false, category: 'delivery-queue' },
      group_id: { what: 'The MLS group it was sent to.', aboutAccount: false, category: 'delivery-queue' },
      kind: { what: 'message or welcome.', aboutAccount: false, category: 'delivery-queue' },
      payload: {
        what:
          'The MLS message as sent. An application message is a PrivateMessage (RFC 9420 §6.3): content and sender are encrypted. ' +
          'Proposals and commits are PublicMessages the server verifies; a Welcome is encrypted to the devices it adds.',
        aboutAccount: true,
      },
      created_at: { what: 'When it was accepted.', aboutAccount: false, category: 'delivery-queue' },
      expires_at: { what: 'When it is deleted even if undelivered.', aboutAccount: false, category: 'delivery-queue' },
      pending: { what: 'How many recipient devices have not acknowledged it yet.', aboutAccount: false, category: 'delivery-queue' },
      sender_account: {
        what: 'The account that sent it, for the per-account queue quota (quotas.queuedBytesPerAccount); empty for messages queued before quotas existed.',
        aboutAccount: true,
        category: 'abuse-limits',
      },
      sender_device: {
        what: 'The device that sent an application message, as the server authenticated it: each recipient gets a franking stamp naming it (docs/franking.md). Deleted with the message.',
        aboutAccount: true,
        category: 'delivery-queue',
      },
      commitment: {
        what: "An application message's franking commitment (from its authenticated data): 32 bytes that reveal nothing of the content without the key inside the encryption, stamped for each recipient on delivery (docs/franking.md). Deleted with the message.",
        aboutAccount: false,
        category: 'delivery-queue',
      },
    },
  },
  deliveries: {
    what: 'One row per (recipient device, queued message) not acknowledged yet.',
    category: 'delivery-queue',
    aboutAccount: true,
    retention: messageRetention,
    lookup: { where: `device_id IN ${DEVICES_OF}` },
    columns: {
      device_id: { what: 'The recipient device.', aboutAccount: true },
      message_id: { what: 'The queued message.', aboutAccount: false },
    },
  },
  blobs: {
    what:
      'Attachment blobs: their bytes are files under blobs.dir, encrypted by the sending device before upload (the key travels ' +
      'inside an encrypted message); this table holds their bookkeeping. Deleted at expiry: blobs.ttlDays at most, the uploader may ask for less.',
    category: 'attachment-ciphertext',
    aboutAccount: true,
    retention: (c) => ({ kind: 'seconds', seconds: c.blobs.ttlDays * 86400 }),
    lookup: { where: `owner IN ${DEVICES_OF}` },
    columns: {
      hash: { what: 'SHA-256 of the encrypted bytes (the blob id).', aboutAccount: false },
      size: { what: 'Size of the encrypted bytes.', aboutAccount: false },
      owner: { what: 'The device that uploaded it (for the per-account blob quota).', aboutAccount: true, category: 'abuse-limits' },
      created_at: { what: 'When it was uploaded.', aboutAccount: false },
      expires_at: { what: 'When it is deleted.', aboutAccount: false },
    },
  },
  invites: {
    what:
      'Registration invites created by operators (`sotto-server admin invites create`). Kept, expired and revoked ones too, so that ' +
      '`admin invites list` shows them; no command deletes them. An invite records how often it was used, not by whom.',
    category: 'admin',
    aboutAccount: false,
    retention: indefinite,
    columns: {
      id: { what: 'The public half of the invite token.', aboutAccount: false },
      secret_hash: { what: 'SHA-256 of the secret half; the token itself is not stored.', aboutAccount: false },
      created_at: { what: 'When it was created.', aboutAccount: false },
      expires_at: { what: 'When it stops admitting accounts.', aboutAccount: false },
      max_uses: { what: 'How many accounts it may register.', aboutAccount: false },
      uses: { what: 'How many it has registered.', aboutAccount: false },
      note: { what: "The operator's note.", aboutAccount: false },
      revoked_at: { what: 'When an operator revoked it, if one did.', aboutAccount: false },
    },
  },
  admin_events: {
    what: 'Suspensions and deletions by `sotto-server admin` (another process), read by the running server to close the sockets of the account.',
    category: 'admin',
    aboutAccount: true,
    retention: () => ({ kind: 'seconds', seconds: ADMIN_EVENT_KEEP_MS / 1000 }),
    lookup: { where: 'account = ?' },
    columns: {
      id: { what: 'Event number.', aboutAccount: false },
      kind: { what: 'suspended or deleted.', aboutAccount: false },
      account: { what: 'The account acted on.', aboutAccount: true },
      devices: { what: "The account's device ids at that moment.", aboutAccount: true },
      at: { what: 'When it happened.', aboutAccount: false },
    },
  },
  reports: {
    what:
      'The moderation queue (docs/moderation.md): abuse reports users filed about messages they received, and items raised by ' +
      'metadata signals. The row, with its verdict, stays; the reported content it points to is deleted moderation.resolvedRetentionDays after it is resolved.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { where: 'reported_account = ? OR reporter_account = ?' },
    columns: {
      id: { what: 'The report id.', aboutAccount: false },
      kind: { what: 'report (filed by a user) or signals (raised by metadata signals).', aboutAccount: false },
      reported_account: {
        what: 'The account whose messages were reported (the sender of the first message), or the flagged account.',
        aboutAccount: true,
      },
      reporter_account: { what: 'The account that filed the report (none for a signals item).', aboutAccount: true },
      reporter_device: { what: 'The device that filed it: the recipient the stamps were checked against.', aboutAccount: true },
      group_id: { what: 'The MLS group the reported messages came from.', aboutAccount: false },
      category: { what: 'The category the reporter chose (spam, harassment, ...).', aboutAccount: false },
      reason: {
        what: "The reporter's own words, in clear; emptied moderation.resolvedRetentionDays after the report is resolved.",
        aboutAccount: true,
        retention: resolvedContent,
      },
      signals: { what: 'For a signals item: the metadata signals that tripped, with their values and thresholds.', aboutAccount: true },
      verified: { what: 'Whether every reported message verified on arrival.', aboutAccount: false },
      status: { what: 'open or resolved.', aboutAccount: false },
      created_at: { what: 'When it was filed.', aboutAccount: false },
      updated_at: { what: 'When it last changed.', aboutAccount: false },
      resolved_at: { what: 'When an operator resolved it.', aboutAccount: false },
      resolution: { what: 'The action taken: dismiss, warn or suspend.', aboutAccount: true },
      resolved_by: { what: "The acting admin: an admin token's name, or cli:<OS user>.", aboutAccount: false },
      resolution_note: { what: "The operator's note.", aboutAccount: true },
      content_deleted_at: { what: 'When retention deleted the reported content.', aboutAccount: false },
    },
  },
  report_messages: {
    what:
      'The messages of a report, as the reporter decrypted them and the server verified them: the content in clear, its franking key, ' +
      'commitment and stamp. Content, text, key and stamp are deleted moderation.resolvedRetentionDays after the report is resolved; ' +
      'the verdict and the hashes stay with the report.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { where: 'sender_account = ? OR report_id IN (SELECT id FROM reports WHERE reporter_account = ?)' },
    columns: {
      report_id: { what: 'The report.', aboutAccount: false },
      idx: { what: 'Position in the report (0: the reported message; then earlier context).', aboutAccount: false },
      sender_device: { what: 'The sending device the stamp names.', aboutAccount: true },
      sender_account: { what: 'The sending account the stamp names.', aboutAccount: true },
      received_at: { what: "The server's receive time the stamp names.", aboutAccount: false },
      franking_key: {
        what: 'The franking key that opens the commitment (deleted by retention).',
        aboutAccount: false,
        retention: resolvedContent,
      },
      content: {
        what: 'The reported content in clear, encoded (docs/content-format.md) (deleted by retention).',
        aboutAccount: true,
        retention: resolvedContent,
      },
      content_sha256: { what: 'SHA-256 of the content (kept after retention).', aboutAccount: false },
      commitment: { what: "The sender's commitment to the content (a MAC; kept after retention).", aboutAccount: false },
      stamp: { what: "The server's stamp as reported (deleted by retention).", aboutAccount: false, retention: resolvedContent },
      stamp_sha256: { what: 'SHA-256 of the stamp (kept after retention).', aboutAccount: false },
      verified: { what: 'Whether the message verified.', aboutAccount: false },
      failure: {
        what: 'The first check it failed (commitment, stamp, content, attachment-hash, attachment-decrypt).',
        aboutAccount: false,
      },
      content_type: { what: 'The decoded content type (text, reply, attachment, ...).', aboutAccount: false },
      text: { what: 'The decoded text, in clear (deleted by retention).', aboutAccount: true, retention: resolvedContent },
      attachment: {
        what:
          'For an attachment: file name, type, size, the SHA-256 of its decrypted bytes and the name of the file under <dataDir>/reports holding them ' +
          '(name, type and file deleted by retention).',
        aboutAccount: true,
        retention: resolvedContent,
      },
    },
  },
  reported_stamps: {
    what: 'SHA-256 of every stamp a device reported, so that the same message cannot be reported twice by it (the stamp itself is not kept here).',
    category: 'abuse-limits',
    aboutAccount: true,
    retention: indefinite,
    lookup: { where: `device_id IN ${DEVICES_OF}` },
    columns: {
      device_id: { what: 'The reporting device.', aboutAccount: true },
      stamp_sha256: { what: 'SHA-256 of the reported stamp.', aboutAccount: false },
      report_id: { what: 'The report it arrived in.', aboutAccount: false },
    },
  },
  admin_tokens: {
    what: 'Tokens of the admin API (`sotto-server admin tokens create`); revoked and expired ones stay listed. The token itself is not stored.',
    category: 'admin',
    aboutAccount: false,
    retention: indefinite,
    columns: {
      id: { what: 'The public part of the token.', aboutAccount: false },
      name: { what: 'The name the operator gave it; recorded as the acting admin in the moderation log.', aboutAccount: false },
      token_hash: { what: 'SHA-256 of the token.', aboutAccount: false },
      scopes: { what: 'What it may do: reports:read, reports:act, evidence:export.', aboutAccount: false },
      created_at: { what: 'When it was created.', aboutAccount: false },
      expires_at: { what: 'When it stops working, if it does.', aboutAccount: false },
      revoked_at: { what: 'When it was revoked, if it was.', aboutAccount: false },
    },
  },
  notices: {
    what: 'Warnings from the operator to an account (a report resolved with warn), delivered by GET /v1/notices and then marked read; kept as a record.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { where: 'account = ?' },
    columns: {
      id: { what: 'The notice id.', aboutAccount: false },
      account: { what: 'The account warned.', aboutAccount: true },
      kind: { what: 'warning.', aboutAccount: false },
      text: { what: 'The notice text (a fixed sentence naming the server).', aboutAccount: false },
      created_at: { what: 'When it was issued.', aboutAccount: false },
      read_at: { what: "When the account's device fetched it.", aboutAccount: true },
    },
  },
  moderation_log: {
    what:
      'The moderation log: every report received (with whether it verified), resolution, evidence export, admin token creation and revocation, signal flag and retention deletion, ' +
      'append-only and hash-chained (each hash covers the entry before). Never deleted: the chain would break. It holds no reported content.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { where: 'account = ?' },
    columns: {
      seq: { what: 'Entry number, from 1.', aboutAccount: false },
      at: { what: 'When it happened.', aboutAccount: false },
      admin: { what: 'The acting admin: a token name, cli:<OS user>, or system:<component>.', aboutAccount: false },
      action: { what: 'What was done.', aboutAccount: false },
      report_id: { what: 'The report acted on, if any.', aboutAccount: false },
      account: { what: 'The account acted on, if any.', aboutAccount: true },
      detail: {
        what: "The action's details as canonical JSON (a note, signals, a token's name and scopes, whether a received report verified).",
        aboutAccount: true,
      },
      prev_hash: { what: 'The hash of the entry before (32 zero bytes for the first).', aboutAccount: false },
      hash: { what: 'SHA-256(prev_hash || canonical entry).', aboutAccount: false },
    },
  },
  abuse_counts: {
    what: 'Abuse signals (docs/abuse-signals.md): per account, how many first contacts, groups created, unanswered messages, declined requests and reports fell in each of the 24 time buckets of the sliding window. Counts only, from metadata.',
    category: 'abuse-limits',
    aboutAccount: true,
    retention: abuseWindow,
    lookup: { where: 'account = ?' },
    columns: {
      account: { what: 'The account counted.', aboutAccount: true },
      signal: {
        what: 'Which signal (firstContacts, messageRequests, strangersAddedToGroups, groupsCreated, unansweredMessages, declinedRequests, reports).',
        aboutAccount: false,
      },
      bucket: { what: 'Start of the time bucket.', aboutAccount: false },
      n: { what: 'How many in that bucket.', aboutAccount: false },
    },
  },
  abuse_requests: {
    what: 'Abuse signals: which account added which other account to a conversation while the two shared no other group (a first contact), so that a block of that request by its recipient can be counted once.',
    category: 'abuse-limits',
    aboutAccount: true,
    retention: (c) => ({ kind: 'seconds', seconds: c.abuse.requestMemorySeconds }),
    lookup: { where: 'requester = ? OR recipient = ?' },
    columns: {
      requester: { what: 'The account that made the first contact.', aboutAccount: true },
      recipient: { what: 'The account it was made with.', aboutAccount: true },
      at: { what: 'When (the latest, if it happened again).', aboutAccount: false },
      declined_at: { what: 'When the recipient blocked it, if it did.', aboutAccount: false },
    },
  },
  abuse_conversations: {
    what: 'Abuse signals: per group that had an application message in the window, the first account that wrote there and whether another account has written since (answered). No content.',
    category: 'abuse-limits',
    aboutAccount: true,
    retention: abuseWindow,
    lookup: { where: 'first_sender = ?' },
    columns: {
      group_id: { what: 'The MLS group.', aboutAccount: false },
      first_sender: { what: 'The account of the first application message seen there.', aboutAccount: true },
      answered: { what: 'Whether another account has sent an application message there since.', aboutAccount: false },
      at: { what: 'When the first one was seen.', aboutAccount: false },
    },
  },
  abuse_throttles: {
    what: 'Accounts throttled for passing an abuse threshold: no new groups, first contacts slowed, until the end or an operator lifts it.',
    category: 'abuse-limits',
    aboutAccount: true,
    retention: (c) => ({ kind: 'seconds', seconds: c.abuse.throttleSeconds }),
    lookup: { where: 'account = ?' },
    columns: {
      account: { what: 'The throttled account.', aboutAccount: true },
      since: { what: 'When it was throttled.', aboutAccount: false },
      until: { what: 'When the throttle ends.', aboutAccount: false },
      signals: { what: 'The signals that passed their thresholds: name, value and threshold.', aboutAccount: false },
    },
  },
  lawful_requests: {
    what:
      'The lawful-request register (docs/for-law-enforcement.md): each request received from an authority, its instrument, reference, ' +
      'the accounts it named and the data asked for, the decision with its reason and the admins who signed it off, when it was answered ' +
      '(with the SHA-256 of the signed answer, not the answer) and when the accounts were told. Kept as the record the transparency report counts.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { withheld: 'The register itself: which authorities asked about an account is not disclosed to another authority.' },
    columns: {
      id: { what: 'The request id.', aboutAccount: false },
      instrument: { what: 'mlat, domestic-order, direct-request, emergency or preservation.', aboutAccount: false },
      authority: { what: 'The requesting authority.', aboutAccount: false },
      country: { what: "The authority's country (ISO 3166-1 alpha-2).", aboutAccount: false },
      reference: { what: "The authority's reference.", aboutAccount: false },
      received_at: { what: 'When it arrived.', aboutAccount: false },
      due_at: { what: 'When the authority wants an answer.', aboutAccount: false },
      accounts: { what: 'The accounts it named.', aboutAccount: true },
      categories: { what: 'The data asked for.', aboutAccount: false },
      notice_delay_until: { what: 'A court-ordered delay of the user notice: its expiry.', aboutAccount: false },
      follows: { what: 'The preservation request it follows, if any.', aboutAccount: false },
      note: { what: "The operator's note at intake.", aboutAccount: false },
      received_by: { what: 'The admin who logged it.', aboutAccount: false },
      status: { what: 'received, decided or answered.', aboutAccount: false },
      decision: { what: 'disclose, partial or reject.', aboutAccount: false },
      disclosed: { what: 'For a partial decision: the categories disclosed.', aboutAccount: false },
      reason: { what: "The decision's reason.", aboutAccount: false },
      decided_by: { what: 'The admin who decided, when, and the note.', aboutAccount: false },
      second_approval: { what: "Emergency disclosures: the second admin's approval.", aboutAccount: false },
      second_approval_due_at: { what: 'By when the second approval is needed.', aboutAccount: false },
      flagged_at: { what: 'When a missing second approval was flagged.', aboutAccount: false },
      review: { what: "Emergency disclosures: the review after the fact, and the reviewer's verdict.", aboutAccount: false },
      answered_at: { what: 'When the signed answer was made.', aboutAccount: false },
      answer_sha256: { what: 'SHA-256 of the signed answer (the answer itself is not kept).', aboutAccount: false },
      notice_due_at: { what: 'When the accounts it named are to be told.', aboutAccount: false },
      notice_given_at: { what: 'When they were told (GET /v1/notices).', aboutAccount: false },
      version: { what: 'Change counter (compare-and-set).', aboutAccount: false },
    },
  },
  preservation_holds: {
    what:
      'Preservation holds: a snapshot of the records the server held about the named accounts when a preservation request arrived, encrypted ' +
      'under a key split among custodians (k of n are needed; the server keeps no share). Deleted after 90 days (once extendable by 90), when ' +
      'released, or when the request that follows it is answered; only the counts stay.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { withheld: 'A snapshot is opened only by its custodians, for the answer to the request it was placed for.' },
    columns: {
      id: { what: 'The hold id.', aboutAccount: false },
      request_id: { what: 'The preservation request.', aboutAccount: false },
      accounts: { what: 'The accounts preserved.', aboutAccount: true },
      custodians: { what: "The custodians' names.", aboutAccount: false },
      threshold: { what: 'How many custodian shares open it.', aboutAccount: false },
      created_at: { what: 'When it was placed.', aboutAccount: false },
      expires_at: { what: 'When it is deleted unless extended.', aboutAccount: false },
      extended: { what: 'Whether it was extended (once at most).', aboutAccount: false },
      sealed: {
        what: 'The encrypted snapshot (AES-256-GCM): deleted with the hold, at the latest after two periods of 90 days.',
        aboutAccount: true,
        retention: () => ({ kind: 'seconds', seconds: 2 * HOLD_DAYS * 86400 }),
      },
      share_hashes: {
        what: "SHA-256 of each custodian's share (to recognise a share of another hold); deleted with the hold.",
        aboutAccount: false,
        secret: true,
      },
      row_counts: { what: 'How many rows of each table it holds (kept).', aboutAccount: false },
      deleted_at: { what: 'When it was deleted.', aboutAccount: false },
      deleted_why: { what: 'expired, released or answered.', aboutAccount: false },
    },
  },
  request_log: {
    what:
      'The request log: every register event, append-only and hash-chained. Its public part (month, request id, event, instrument, ' +
      'country, counts) goes into transparency reports; its private part (exact time, admin, authority, reference, accounts, reasons) ' +
      'stays here, tied to the chain by a salted digest. Never deleted: the chain would break.',
    category: 'admin',
    aboutAccount: true,
    retention: indefinite,
    lookup: { withheld: 'The register itself: which authorities asked about an account is not disclosed to another authority.' },
    columns: {
      seq: { what: 'Entry number, from 1.', aboutAccount: false },
      month: { what: 'UTC month of the event.', aboutAccount: false },
      request: { what: 'The request id.', aboutAccount: false },
      event: { what: 'What happened (received, decided, answered, preserved, ...).', aboutAccount: false },
      public: { what: 'The public fields: instrument, country and counts.', aboutAccount: false },
      detail_digest: { what: 'SHA-256 of the salt and the detail: the private part of the entry in the chain.', aboutAccount: false },
      prev_hash: { what: 'The hash of the entry before.', aboutAccount: false },
      hash: { what: 'SHA-256(prev_hash || canonical public entry).', aboutAccount: false },
      detail: {
        what: "The entry's private part (never published): exact time, acting admin, and the names, references and accounts of the event.",
        aboutAccount: true,
      },
      salt: { what: "The detail digest's random salt.", aboutAccount: false },
    },
  },
  sqlite_sequence: {
    what: "SQLite's own record of the last id handed out in the messages and admin_events tables.",
    category: 'admin',
    aboutAccount: false,
    retention: indefinite,
    columns: {
      name: { what: 'The table name.', aboutAccount: false },
      seq: { what: 'The last id handed out.', aboutAccount: false },
    },
  },
};

/**
 * What the server does not have, kept true by hand against the code it describes; the inventory test checks what a
 * schema can show (no column for an IP address, e-mail, phone number or contact).
 */
export const NOT_HELD: Readonly<Record<NotHeldCategory, string>> = {
  'message-content':
    "Message content: application messages are MLS PrivateMessages (RFC 9420 §6.3), encrypted on the sending device with keys only the group members hold. (The server does know which logged-in device submitted each message, and keeps the sender's account with it while it is queued.) The one exception is a message a recipient chooses to report: the report carries it in clear with its franking key, and the server keeps it in the moderation queue (tables reports and report_messages).",
  'attachment-content':
    'Attachment content: attachments are encrypted on the device before upload and their keys travel inside encrypted messages; the server sees their size, hash, uploading device and lifetime. Exception: an attachment in a reported message, whose key the report carries; the server decrypts it and keeps it with the report under <dataDir>/reports.',
  'private-keys':
    'Private keys and group secrets: no account identity key, device signature key, HPKE private key or epoch secret reaches the server; it keeps the public group state only.',
  'group-names':
    'Group names: a rename travels as an encrypted message; the public group state holds the conversation kind (direct or group), the owner, the admins and the disappearing timer, and no name.',
  'contact-lists':
    'Contact lists or address books: the server stores no list of whom an account knows; directory lookups are rate-limited in memory and not stored. (For the abuse signals it remembers, for abuse.requestMemorySeconds, which account added which stranger to a conversation: docs/abuse-signals.md.)',
  'ip-addresses': 'IP addresses, in the database: client addresses are held in memory for rate limits only (see `elsewhere` for logs).',
  'phone-email': 'Phone numbers or e-mail addresses: an account is a name and a public key.',
};

/** What the server holds outside its database tables. */
export const ELSEWHERE: readonly string[] = [
  'Attachment blobs: encrypted files under blobs.dir, deleted with their row in the blobs table.',
  'Reported attachments: the decrypted bytes of attachments in reports, under <dataDir>/reports/<report id>/ (mode 0600), deleted moderation.resolvedRetentionDays after the report is resolved.',
  'Keys: the franking stamp key (<dataDir>/franking-stamp.key) and the Ed25519 evidence-signing key (<dataDir>/server-signing.key), mode 0600.',
  "The HTTP access log (stdout): at log.level info, every request's method, URL (a directory lookup names the account looked up), client IP and status; how long it is kept is the operator's log set-up. Logs never contain message content, keys or tokens.",
  'Memory only: rate-limit counters by client IP, account and device, and the open WebSocket connections; gone when the server stops.',
];

function facts(): string[] {
  return [
    'Every conversation, 1:1 included, is one MLS group (RFC 9420) whose leaves are devices.',
    'The server knows which devices are in which group: it derives the delivery list from the verified MLS tree. Who talks with whom can therefore be inferred from group membership (a 1:1 conversation is a group marked direct).',
    'The server cannot add a member or a device: every client checks that each leaf carries a device certificate signed by the account key it holds for that name, and refuses a Welcome or commit that breaks this.',
    'Proposals and commits are PublicMessages: the server verifies their signatures and accepts exactly one commit per epoch; application messages are PrivateMessages it cannot read.',
    'No content scanning, no key escrow, no ghost participant.',
  ];
}

function ciphersuites(): Array<{ id: number; name: string }> {
  const names = new Map<number, string>(Object.entries(CipherSuiteId).map(([name, id]) => [id, name]));
  return [...ED25519_SUITES].sort((a, b) => a - b).map((id) => ({ id, name: names.get(id) ?? hex4(id) }));
}

export function inventoryItems(config: Config): InventoryItem[] {
  const items: InventoryItem[] = [];
  for (const [table, t] of Object.entries(DATA_INVENTORY)) {
    items.push({ table, what: t.what, category: t.category, aboutAccount: t.aboutAccount, retention: t.retention(config) });
    for (const [column, c] of Object.entries(t.columns)) {
      items.push({
        table,
        column,
        what: c.what,
        category: c.category ?? t.category,
        aboutAccount: c.aboutAccount,
        retention: (c.retention ?? t.retention)(config),
      });
    }
  }
  return items;
}

/** The body of GET /v1/inventory under this configuration. */
export function dataInventory(config: Config, version: string): InventoryResponse {
  return {
    server: { version, domain: config.server.domain },
    items: inventoryItems(config),
    notHeld: Object.values(NOT_HELD),
    elsewhere: [...ELSEWHERE],
    protocol: { mls: 'RFC 9420', ciphersuites: ciphersuites(), facts: facts() },
  };
}
