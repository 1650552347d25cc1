// The cryptography RFC 9420 requires for three rows of mls-bench.ts, measured alone on the same kind of group: what
// a row cannot go below whatever the code around it does. Used by mls-bench.ts ("required crypto alone" rows).
//
// - create + add all at N (RFC 9420 §12.1.1, §10.1, §12.4.3.1): 2(N-1) Ed25519 verifications (each KeyPackage's
//   signature and its leaf node's signature), N-1 HPKE SealBase (EncryptWithLabel of the GroupSecrets to each init
//   key, the encrypted GroupInfo as context), the creator's two key pairs (Ed25519, X25519) and its LeafNode
//   signature (§11), one signature over the commit (§6.1) and one over the GroupInfo with the tree (§12.4.3), one
//   AEAD seal of the GroupInfo, and the key schedules of epochs 0 and 1 (§8, §11: 24 ExpandWithLabel, 2 Extract,
//   2 MACs for the confirmation tags, 3 transcript hashes).
// - join by Welcome at N (§12.4.3.1): one HPKE open of our GroupSecrets, one AEAD open of the GroupInfo, one
//   verification of the GroupInfo signature, N leaf-signature verifications (§7.3), the tree hash from scratch
//   (2N-1 node hashes, §7.8), the parent-hash check of every non-blank parent (§7.9.2; none in this tree), and the
//   key schedule (§8: welcome secret, key and nonce, epoch secrets: 13 ExpandWithLabel, 2 Extract; 1 MAC for the
//   confirmation tag, 1 hash for the interim transcript hash).
// - an application message pair (§6.3): see appRequired below.
import { createCipheriv, createDecipheriv, createHmac, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { Writer } from '../src/codec/tls-codec.js';
import { decryptWithLabel, encryptWithLabel } from '../src/crypto/labels.js';
import { createNativeProvider, nativeRandom } from '../src/crypto/native/index.js';
import type { CipherSuite } from '../src/crypto/provider.js';
import { signGroupInfo } from '../src/group/group-info.js';
import { addMembers, CredentialType, createGroup, createKeyPackage, type GroupDeps, joinFromWelcome } from '../src/index.js';
import { verifyParentHashes } from '../src/tree/parent-hash.js';
import { RatchetTree } from '../src/tree/ratchet-tree.js';
import { utf8Bytes } from '../src/util/bytes.js';
import {
  type Bytes,
  decodeMlsMessage,
  encodeGroupInfoTbs,
  encodeKeyPackageTbs,
  encodeLeafNodeTbs,
  type KeyPackage,
  LeafNodeSource,
  WireFormat,
} from '../src/wire/index.js';

/** RFC 9420 §5.1.2 SignContent { opaque label<V> = "MLS 1.0 " + Label; opaque content<V>; }. */
function signContent(label: string, content: Bytes): Bytes {
  return new Writer(content.length + 40)
    .bytes(utf8Bytes(`MLS 1.0 ${label}`))
    .bytes(content)
    .finish();
}

/** `expand` single-block ExpandWithLabel-sized HKDF-Expand calls, `extract` Extracts, `mac` MACs, `hash` hashes. */
function keySchedule(cs: CipherSuite, expand: number, extract: number, mac: number, hash: number): void {
  const secret = new Uint8Array(cs.hashLength).fill(7);
  const info = new Uint8Array(40).fill(1);
  for (let i = 0; i < expand; i++) cs.expand(secret, info, cs.hashLength);
  for (let i = 0; i < extract; i++) cs.extract(secret, secret);
  for (let i = 0; i < mac; i++) cs.mac(secret, secret);
  for (let i = 0; i < hash; i++) cs.hash(info);
}

interface Check {
  key: Bytes;
  message: Bytes;
  signature: Bytes;
}

export interface RequiredCrypto {
  /** Runs exactly the required cryptography of create + add all at this N once. */
  createAlone(): void;
  /** Runs exactly the required cryptography of join by Welcome at this N once. */
  joinAlone(): void;
  /** How many of each operation one run makes (for the table's note). */
  readonly counts: { create: string; join: string };
}

/** Builds an N-member group as mls-bench.ts does (suite 0x0001, ratchet tree in the GroupInfo) and prepares the inputs. */
export function requiredCrypto(n: number, now: () => bigint): RequiredCrypto {
  const deps: GroupDeps = { crypto: createNativeProvider(), rng: nativeRandom, now };
  const cs: CipherSuite = deps.crypto.suite(1);
  const cred = (s: string) => ({ credentialType: CredentialType.basic, identity: utf8Bytes(s) });
  const kps = Array.from({ length: n - 1 }, (_, i) => createKeyPackage(deps, { cipherSuite: 1, credential: cred(`m${i + 1}`) }));
  const creator = createGroup(deps, { cipherSuite: 1, groupId: utf8Bytes(`required-${n}`), credential: cred('m0') });
  const out = addMembers(
    deps,
    creator,
    kps.map((k) => k.bytes),
    { ratchetTreeInWelcome: true },
  );
  if (!out.welcome) throw new Error('required-crypto: no Welcome');
  const msg = decodeMlsMessage(out.welcome);
  if (msg.wireFormat !== WireFormat.mls_welcome) throw new Error('required-crypto: not a Welcome');
  const welcome = msg.welcome;
  const first = kps[0];
  if (!first) throw new Error('required-crypto: n < 2');
  const joiner = joinFromWelcome(deps, out.welcome, { keyPackage: first.keyPackage, privateKeys: first.privateKeys });

  // create + add all: the KeyPackage checks of RFC 9420 §10.1, the Welcome's HPKE seals, the creator's own keys and signatures.
  const kpChecks: Check[] = kps.flatMap(({ keyPackage: kp }: { keyPackage: KeyPackage }) => {
    const { signature, ...tbs } = kp;
    const { signature: leafSig, ...leafTbs } = kp.leafNode;
    return [
      { key: kp.leafNode.signatureKey, message: signContent('KeyPackageTBS', encodeKeyPackageTbs(tbs)), signature },
      { key: kp.leafNode.signatureKey, message: signContent('LeafNodeTBS', encodeLeafNodeTbs(leafTbs)), signature: leafSig },
    ];
  });
  const groupSecretsPlaintext = randomBytes(36); // joiner_secret<V>, no path secret, no PSKs
  const gi = signGroupInfo(cs, out.group, { ratchetTree: true });
  const { signature: _giSig, ...giTbs } = gi;
  const giSignContent = signContent('GroupInfoTBS', encodeGroupInfoTbs(giTbs));
  const commitSized = randomBytes(out.commit.length);
  const aeadKey = randomBytes(cs.aeadKeyLength);
  const aeadNonce = randomBytes(cs.aeadNonceLength);
  const groupInfoPlain = randomBytes(welcome.encryptedGroupInfo.length - 16);
  const creatorSig = cs.generateSignatureKeyPair(nativeRandom);

  const createAlone = (): void => {
    for (const c of kpChecks) if (!cs.verify(c.key, c.message, c.signature)) throw new Error('required-crypto: verify');
    const sig = cs.generateSignatureKeyPair(nativeRandom);
    cs.hpke.generateKeyPair(nativeRandom);
    cs.sign(sig.privateKey, kpChecks[1]?.message ?? commitSized); // the creator's LeafNodeTBS
    cs.sign(creatorSig.privateKey, commitSized);
    cs.sign(creatorSig.privateKey, giSignContent);
    cs.aeadSeal(aeadKey, aeadNonce, new Uint8Array(0), groupInfoPlain);
    keySchedule(cs, 24, 2, 2, 3);
    for (const { keyPackage: kp } of kps) {
      encryptWithLabel(cs, kp.initKey, 'Welcome', welcome.encryptedGroupInfo, groupSecretsPlaintext, nativeRandom);
    }
  };

  // join: the checks of RFC 9420 §12.4.3.1 on the tree the Welcome carries.
  const tree = joiner.tree;
  const leafChecks: Check[] = [...tree.leaves()].map(([i, leaf]) => {
    const { signature, ...tbs } = leaf;
    const content =
      leaf.leafNodeSource === LeafNodeSource.key_package ? encodeLeafNodeTbs(tbs) : encodeLeafNodeTbs(tbs, joiner.context.groupId, i);
    return { key: leaf.signatureKey, message: signContent('LeafNodeTBS', content), signature };
  });
  const giCheck: Check = { key: creatorSig.publicKey, message: giSignContent, signature: cs.sign(creatorSig.privateKey, giSignContent) };
  const entry = welcome.secrets[0];
  if (!entry) throw new Error('required-crypto: no GroupSecrets');
  const sealedGroupInfo = cs.aeadSeal(aeadKey, aeadNonce, new Uint8Array(0), groupInfoPlain);
  const nodes = tree.toNodes();
  const joinAlone = (): void => {
    decryptWithLabel(
      cs,
      first.privateKeys.initPrivateKey,
      'Welcome',
      welcome.encryptedGroupInfo,
      entry.encryptedGroupSecrets.kemOutput,
      entry.encryptedGroupSecrets.ciphertext,
    );
    cs.aeadOpen(aeadKey, aeadNonce, new Uint8Array(0), sealedGroupInfo);
    if (!cs.verify(giCheck.key, giCheck.message, giCheck.signature)) throw new Error('required-crypto: verify');
    for (const c of leafChecks) if (!cs.verify(c.key, c.message, c.signature)) throw new Error('required-crypto: verify');
    const fresh = RatchetTree.fromNodes(cs, nodes);
    fresh.treeHash();
    verifyParentHashes(fresh);
    keySchedule(cs, 13, 2, 1, 1);
  };

  return {
    createAlone,
    joinAlone,
    counts: {
      create: `${2 * (n - 1)} verify, ${n - 1} HPKE seal, 3 sign, 2 keygen, 1 AEAD, key schedule (31 HKDF/MAC, 3 hash)`,
      join: `${n + 1} verify, 1 HPKE open, 1 AEAD, ${2 * tree.leafCount - 1} tree-hash nodes, key schedule (16 HKDF/MAC, 1 hash)`,
    },
  };
}

/**
 * The primitives RFC 9420 §6.3 requires per application-message encrypt + decrypt pair, straight on node:crypto:
 * SignWithLabel + VerifyWithLabel (§6.1) over a FramedContentTBS of this size; the content AEAD seal + open
 * (§6.3.1); the sender-data AEAD seal + open of 12 bytes (§6.3.2); 10 single-block HKDF-Expand, i.e. HMACs (per
 * side: the ratchet's key, nonce and next secret, §9.1, and the sender-data key and nonce, §6.3.2); 4 random bytes
 * for the reuse guard (§6.3.1).
 */
export function appRequired(payload: Uint8Array): () => void {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = randomBytes(16);
  const nonce = randomBytes(12);
  const aad = randomBytes(32);
  const secret = randomBytes(32);
  const info = randomBytes(36);
  const tbs = randomBytes(payload.length + 180);
  const senderData = new Uint8Array(12);
  const sealOpen = (pt: Uint8Array): void => {
    const c = createCipheriv('aes-128-gcm', key, nonce);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(pt), c.final()]);
    const d = createDecipheriv('aes-128-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(c.getAuthTag());
    d.update(ct);
    d.final();
  };
  return () => {
    for (let i = 0; i < 10; i++) createHmac('sha256', secret).update(info).digest();
    randomBytes(4);
    if (!verify(null, tbs, publicKey, sign(null, tbs, privateKey))) throw new Error('required-crypto: verify');
    sealOpen(payload);
    sealOpen(senderData);
  };
}
