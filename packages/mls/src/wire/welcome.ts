// RFC 9420 §12.4.3 GroupInfo (+ GroupInfoTBS) and §12.4.3.1 GroupSecrets, EncryptedGroupSecrets, Welcome.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import { type Reader, Writer } from '../codec/tls-codec.js';
import { decodeExtensions, encodeExtensions } from './extension.js';
import { decodeGroupContext, encodeGroupContext } from './group-context.js';
import { decodePreSharedKeyID, encodePreSharedKeyID } from './proposal.js';
import type { EncryptedGroupSecrets, GroupInfo, GroupSecrets, Welcome } from './types.js';
import { decodeHpkeCiphertext, encodeHpkeCiphertext } from './update-path.js';

function encodeGroupInfoContent(w: Writer, v: Omit<GroupInfo, 'signature'>): void {
  encodeGroupContext(w, v.groupContext);
  encodeExtensions(w, v.extensions);
  w.bytes(v.confirmationTag).u32(v.signer);
}

export const encodeGroupInfo = dualEncoder((w: Writer, v: GroupInfo) => {
  encodeGroupInfoContent(w, v);
  w.bytes(v.signature);
});
export const decodeGroupInfo = dualDecoder((r: Reader): GroupInfo => ({
  groupContext: decodeGroupContext(r),
  extensions: decodeExtensions(r),
  confirmationTag: r.bytes(),
  signer: r.u32(),
  signature: r.bytes(),
}));

/** RFC 9420 §12.4.3 GroupInfoTBS: every GroupInfo field but the signature. */
export function encodeGroupInfoTbs(v: Omit<GroupInfo, 'signature'>): Uint8Array {
  const w = new Writer();
  encodeGroupInfoContent(w, v);
  return w.finish();
}

/** GroupSecrets; path_secret is optional<PathSecret> where PathSecret is { opaque path_secret<V> }. */
export const encodeGroupSecrets = dualEncoder((w: Writer, v: GroupSecrets) => {
  w.bytes(v.joinerSecret);
  w.optional(v.pathSecret, (ww, p) => ww.bytes(p));
  w.vector(v.psks, encodePreSharedKeyID);
});
export const decodeGroupSecrets = dualDecoder((r: Reader): GroupSecrets => {
  const joinerSecret = r.bytes();
  const pathSecret = r.optional((rr) => rr.bytes());
  const psks = r.vector(decodePreSharedKeyID);
  return pathSecret === undefined ? { joinerSecret, psks } : { joinerSecret, pathSecret, psks };
});

export const encodeEncryptedGroupSecrets = dualEncoder((w: Writer, v: EncryptedGroupSecrets) => {
  w.bytes(v.newMember);
  encodeHpkeCiphertext(w, v.encryptedGroupSecrets);
});
export const decodeEncryptedGroupSecrets = dualDecoder((r: Reader): EncryptedGroupSecrets => ({
  newMember: r.bytes(),
  encryptedGroupSecrets: decodeHpkeCiphertext(r),
}));

export const encodeWelcome = dualEncoder((w: Writer, v: Welcome) => {
  w.u16(v.cipherSuite).vector(v.secrets, encodeEncryptedGroupSecrets).bytes(v.encryptedGroupInfo);
});
export const decodeWelcome = dualDecoder((r: Reader): Welcome => ({
  cipherSuite: r.u16(),
  secrets: r.vector(decodeEncryptedGroupSecrets),
  encryptedGroupInfo: r.bytes(),
}));
