// A member's GroupInfo for the Delivery Service to hand out (RFC 9420 §12.4.3.1): a device that lost or cannot
// continue its state rejoins by external commit (§12.4.3.2, resync), which needs a GroupInfo of the group's current
// epoch signed by a member, and the DS cannot sign one. So committers upload it, and the DS checks that it describes
// exactly the epoch its PublicGroup is in before keeping it.
import { ValidationError } from '../errors.js';
import { findExtension, verifyGroupInfo } from '../group/group-info.js';
import { interimTranscriptHash } from '../schedule/transcript-hash.js';
import { bytesEqual, toHex } from '../util/bytes.js';
import { type Bytes, decodeMlsMessage, encodeGroupContext, encodeRatchetTree, ExtensionType, WireFormat } from '../wire/index.js';
import { type PublicGroup, type PublicGroupDeps, publicSuiteOf } from './state.js';

/**
 * Checks a GroupInfo (MLSMessage bytes) against the group's public state (V-DS-03): the same GroupContext (group id,
 * epoch, tree hash, confirmed transcript hash, extensions), the confirmation tag of the commit that made this epoch
 * (it must give the interim transcript hash the DS derived, §8.2), an external_pub extension (a joiner needs it), and
 * the signature under the signer's leaf in this tree (V-WELC-03). The tree itself is the DS's (`exportPublicRatchetTree`).
 */
export function checkGroupInfo(deps: Pick<PublicGroupDeps, 'crypto'>, group: PublicGroup, groupInfo: Bytes): void {
  const m = decodeMlsMessage(groupInfo);
  if (m.wireFormat !== WireFormat.mls_group_info) throw new ValidationError('V-DS-03', 'not a GroupInfo message');
  const gi = m.groupInfo;
  const cs = publicSuiteOf(deps.crypto, group);
  if (!bytesEqual(encodeGroupContext(gi.groupContext), encodeGroupContext(group.context))) {
    throw new ValidationError('V-DS-03', 'the GroupInfo is not of the current epoch of this group');
  }
  if (!bytesEqual(interimTranscriptHash(cs, gi.groupContext.confirmedTranscriptHash, gi.confirmationTag), group.interimTranscriptHash)) {
    throw new ValidationError('V-DS-03', "the GroupInfo's confirmation tag is not the one of the commit that made this epoch");
  }
  if (!findExtension(gi.extensions, ExtensionType.external_pub)) throw new ValidationError('V-DS-03', 'the GroupInfo has no external_pub');
  verifyGroupInfo(cs, gi, group.tree, 'V-WELC-03');
}

/** The group's ratchet tree (RFC 9420 §12.4.3.3), to hand out with a GroupInfo that does not carry it. */
export function exportPublicRatchetTree(group: PublicGroup): Bytes {
  return encodeRatchetTree(group.tree.toNodes());
}

/**
 * The Welcome that goes with a commit (RFC 9420 §12.4.3.1) as a Delivery Service can check it (V-DS-04): a Welcome
 * message of the group's cipher suite whose EncryptedGroupSecrets name exactly the KeyPackages the commit added
 * (`addedKeyPackageRefs` of its result), each once. Whether each new member can decrypt it needs their private keys.
 */
export function checkWelcome(group: PublicGroup, welcome: Bytes, addedKeyPackageRefs: readonly Bytes[]): void {
  let m: ReturnType<typeof decodeMlsMessage>;
  try {
    m = decodeMlsMessage(welcome);
  } catch {
    throw new ValidationError('V-DS-04', 'the Welcome does not decode');
  }
  if (m.wireFormat !== WireFormat.mls_welcome) throw new ValidationError('V-DS-04', 'not a Welcome message');
  if (m.welcome.cipherSuite !== group.context.cipherSuite)
    throw new ValidationError('V-DS-04', "the Welcome is not of the group's cipher suite");
  const named = m.welcome.secrets.map((s) => toHex(s.newMember));
  const added = addedKeyPackageRefs.map(toHex);
  if (new Set(named).size !== named.length || named.length !== added.length || !added.every((r) => named.includes(r))) {
    throw new ValidationError('V-DS-04', 'the Welcome does not name exactly the KeyPackages the commit adds');
  }
}
