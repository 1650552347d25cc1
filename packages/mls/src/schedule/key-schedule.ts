// The MLS key schedule (RFC 9420 §8): init/commit/PSK secrets + GroupContext -> joiner, welcome, epoch secrets and
// the epoch-derived secrets (§8 table), the external key pair (§8 / §8.3), exporters (§8.5) and Welcome keys (§12.4.3.1).
import { Writer } from '../codec/tls-codec.js';
import { deriveSecret, expandWithLabel } from '../crypto/labels.js';
import type { CipherSuite, KeyPair, Rng } from '../crypto/provider.js';
import { utf8Bytes } from '../util/bytes.js';
import { encodeGroupContext } from '../wire/group-context.js';
import type { Bytes, GroupContext } from '../wire/types.js';

const REDACTED = '[redacted]';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The secrets of one epoch (RFC 9420 §8). Prints as `EpochSecrets [redacted]`; never log or serialise it as JSON. */
export class EpochSecrets {
  /** Absent for a group's first epoch, whose epoch_secret is random (RFC 9420 §11). Needed only to build a Welcome. */
  readonly joinerSecret: Bytes | undefined;
  /** DeriveSecret(Extract(joiner_secret, psk_secret), "welcome"); needed only to build a Welcome. */
  readonly welcomeSecret: Bytes | undefined;
  readonly senderDataSecret: Bytes;
  /** Root of the secret tree (RFC 9420 §9); hand it to SecretTree.create and drop it. */
  readonly encryptionSecret: Bytes;
  readonly exporterSecret: Bytes;
  readonly externalSecret: Bytes;
  readonly confirmationKey: Bytes;
  readonly membershipKey: Bytes;
  readonly resumptionPsk: Bytes;
  readonly epochAuthenticator: Bytes;
  /** init_secret_[n], the input to the next epoch's key schedule. */
  readonly initSecret: Bytes;

  constructor(cs: CipherSuite, epochSecret: Bytes, joinerSecret?: Bytes, welcomeSecret?: Bytes) {
    this.joinerSecret = joinerSecret;
    this.welcomeSecret = welcomeSecret;
    // RFC 9420 §8, table "Epoch-Derived Secrets"
    this.senderDataSecret = deriveSecret(cs, epochSecret, 'sender data');
    this.encryptionSecret = deriveSecret(cs, epochSecret, 'encryption');
    this.exporterSecret = deriveSecret(cs, epochSecret, 'exporter');
    this.externalSecret = deriveSecret(cs, epochSecret, 'external');
    this.confirmationKey = deriveSecret(cs, epochSecret, 'confirm');
    this.membershipKey = deriveSecret(cs, epochSecret, 'membership');
    this.resumptionPsk = deriveSecret(cs, epochSecret, 'resumption');
    this.epochAuthenticator = deriveSecret(cs, epochSecret, 'authentication');
    this.initSecret = deriveSecret(cs, epochSecret, 'init');
  }

  toString(): string {
    return `EpochSecrets ${REDACTED}`;
  }
  toJSON(): string {
    return REDACTED;
  }
  [INSPECT](): string {
    return `EpochSecrets ${REDACTED}`;
  }
}

function contextBytes(gc: GroupContext | Bytes): Bytes {
  return gc instanceof Uint8Array ? gc : encodeGroupContext(gc);
}

/** RFC 9420 §8: joiner_secret = ExpandWithLabel(KDF.Extract(init_secret, commit_secret), "joiner", GroupContext_[n], Nh). */
export function deriveJoinerSecret(cs: CipherSuite, initSecret: Bytes, commitSecret: Bytes, groupContext: GroupContext | Bytes): Bytes {
  const prk = cs.extract(initSecret, commitSecret);
  return expandWithLabel(cs, prk, 'joiner', contextBytes(groupContext), cs.hashLength);
}

/** RFC 9420 §8: the all-zero psk_secret / commit_secret of length KDF.Nh. */
export function zeroSecret(cs: CipherSuite): Bytes {
  return new Uint8Array(cs.hashLength);
}

/**
 * RFC 9420 §8, from joiner_secret on (the path of a member joining by Welcome, and the second half of every epoch):
 * member = Extract(joiner_secret, psk_secret); welcome_secret = DeriveSecret(member, "welcome");
 * epoch_secret = ExpandWithLabel(member, "epoch", GroupContext_[n], Nh). `pskSecret` defaults to zeros.
 */
export function epochSecretsFromJoiner(
  cs: CipherSuite,
  joinerSecret: Bytes,
  pskSecret: Bytes | undefined,
  groupContext: GroupContext | Bytes,
): EpochSecrets {
  const member = cs.extract(joinerSecret, pskSecret ?? zeroSecret(cs));
  const welcomeSecret = deriveSecret(cs, member, 'welcome');
  const epochSecret = expandWithLabel(cs, member, 'epoch', contextBytes(groupContext), cs.hashLength);
  return new EpochSecrets(cs, epochSecret, joinerSecret, welcomeSecret);
}

/** RFC 9420 §8: the full schedule for a new epoch from the previous epoch's init_secret and this commit's secrets. */
export function deriveEpochSecrets(
  cs: CipherSuite,
  input: { initSecret: Bytes; commitSecret?: Bytes; pskSecret?: Bytes; groupContext: GroupContext | Bytes },
): EpochSecrets {
  const gc = contextBytes(input.groupContext);
  const joiner = deriveJoinerSecret(cs, input.initSecret, input.commitSecret ?? zeroSecret(cs), gc);
  return epochSecretsFromJoiner(cs, joiner, input.pskSecret, gc);
}

/** RFC 9420 §11: epoch 0 of a new group starts from a fresh random epoch_secret of KDF.Nh bytes. */
export function initialEpochSecrets(cs: CipherSuite, rng: Rng): EpochSecrets {
  return new EpochSecrets(cs, rng(cs.hashLength));
}

/** RFC 9420 §8: welcome_secret alone, from joiner_secret and psk_secret (zeros when absent). */
export function deriveWelcomeSecret(cs: CipherSuite, joinerSecret: Bytes, pskSecret?: Bytes): Bytes {
  return deriveSecret(cs, cs.extract(joinerSecret, pskSecret ?? zeroSecret(cs)), 'welcome');
}

/** RFC 9420 §12.4.3.1: welcome_key / welcome_nonce encrypting the GroupInfo in a Welcome. */
export function welcomeKeyNonce(cs: CipherSuite, welcomeSecret: Bytes): { key: Bytes; nonce: Bytes } {
  const empty = new Uint8Array(0);
  return {
    key: expandWithLabel(cs, welcomeSecret, 'key', empty, cs.aeadKeyLength),
    nonce: expandWithLabel(cs, welcomeSecret, 'nonce', empty, cs.aeadNonceLength),
  };
}

/** RFC 9420 §8: external_priv, external_pub = KEM.DeriveKeyPair(external_secret). */
export function deriveExternalKeyPair(cs: CipherSuite, externalSecret: Bytes): KeyPair {
  return cs.hpke.deriveKeyPair(externalSecret);
}

const EXTERNAL_INIT_LABEL = utf8Bytes('MLS 1.0 external init secret');
const EMPTY = new Uint8Array(0);

/** RFC 9420 §8.3 joiner side: SetupBaseS(external_pub, "") and export "MLS 1.0 external init secret". */
export function externalInitSecretForSender(cs: CipherSuite, externalPub: Bytes, rng: Rng): { kemOutput: Bytes; initSecret: Bytes } {
  const r = cs.hpke.exportSender(externalPub, EMPTY, EXTERNAL_INIT_LABEL, cs.hashLength, rng);
  return { kemOutput: r.kemOutput, initSecret: r.secret };
}

/** RFC 9420 §8.3 member side: SetupBaseR(kem_output, external_priv, "") and the same export. */
export function externalInitSecretForReceiver(cs: CipherSuite, externalPriv: Bytes, kemOutput: Bytes): Bytes {
  return cs.hpke.exportReceiver(externalPriv, kemOutput, EMPTY, EXTERNAL_INIT_LABEL, cs.hashLength);
}

/**
 * RFC 9420 §8.5 MLS-Exporter(Label, Context, Length) =
 *   ExpandWithLabel(DeriveSecret(exporter_secret, Label), "exported", Hash(Context), Length).
 * `label` is a string (UTF-8) or raw bytes.
 */
export function mlsExporter(cs: CipherSuite, exporterSecret: Bytes, label: string | Bytes, context: Bytes, length: number): Bytes {
  const labelBytes = typeof label === 'string' ? utf8Bytes(label) : label;
  const derived = cs.expand(exporterSecret, kdfLabel(labelBytes, EMPTY, cs.hashLength), cs.hashLength);
  return expandWithLabel(cs, derived, 'exported', cs.hash(context), length);
}

const MLS_PREFIX = utf8Bytes('MLS 1.0 ');

/** RFC 9420 §8 KDFLabel with a byte-string label (exporter labels need not be UTF-8 text). */
function kdfLabel(label: Bytes, context: Bytes, length: number): Bytes {
  return new Writer(label.length + context.length + 16)
    .u16(length)
    .varint(MLS_PREFIX.length + label.length)
    .raw(MLS_PREFIX)
    .raw(label)
    .bytes(context)
    .finish();
}
