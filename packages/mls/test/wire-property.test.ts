// Property tests (fast-check) of the RFC 9420 wire codecs: decode(encode(x)) = x for every struct, and
// decoding random or mutated bytes throws only DecodeError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { DualDecoder } from '../src/codec/dual.js';
import { Reader } from '../src/codec/tls-codec.js';
import { DecodeError } from '../src/errors.js';
import * as W from '../src/wire/index.js';
import type {
  Capabilities,
  Commit,
  Credential,
  Extension,
  FramedContent,
  GroupContext,
  GroupInfo,
  GroupSecrets,
  KeyPackage,
  LeafNode,
  MlsMessage,
  Node,
  ParentNode,
  PreSharedKeyID,
  PrivateMessage,
  PrivateMessageContent,
  Proposal,
  ProposalOrRef,
  PublicMessage,
  Sender,
  UpdatePath,
  Welcome,
} from '../src/wire/types.js';
import { hex, loadVectors } from './helpers/vectors.js';

const RUNS = 300;

/** fast-check records have a null prototype; rebuild plain objects so deepStrictEqual compares values only. */
function plain(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(plain);
  if (x instanceof Uint8Array || x === null || typeof x !== 'object') return x;
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, plain(v)]));
}
const bytes = (max = 24) => fc.uint8Array({ maxLength: max });
const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const list = <T>(a: fc.Arbitrary<T>, max = 3) => fc.array(a, { maxLength: max });

const credential: fc.Arbitrary<Credential> = fc.oneof(
  bytes().map((identity): Credential => ({ credentialType: 1, identity })),
  list(bytes()).map((certificates): Credential => ({ credentialType: 2, certificates })),
);
const extension: fc.Arbitrary<Extension> = fc.record({ extensionType: u16, extensionData: bytes() });
const capabilities: fc.Arbitrary<Capabilities> = fc.record({
  versions: list(u16),
  cipherSuites: list(u16),
  extensions: list(u16),
  proposals: list(u16),
  credentials: list(u16),
});
const leafNode: fc.Arbitrary<LeafNode> = fc
  .record({
    encryptionKey: bytes(),
    signatureKey: bytes(),
    credential,
    capabilities,
    leafNodeSource: fc.constantFrom(1, 2, 3),
    lifetime: fc.record({ notBefore: u64, notAfter: u64 }),
    parentHash: bytes(),
    extensions: list(extension),
    signature: bytes(),
  })
  .map(({ lifetime, parentHash, ...rest }): LeafNode => {
    if (rest.leafNodeSource === 1) return { ...rest, lifetime };
    if (rest.leafNodeSource === 3) return { ...rest, parentHash };
    return rest;
  });
const parentNode: fc.Arbitrary<ParentNode> = fc.record({ encryptionKey: bytes(), parentHash: bytes(), unmergedLeaves: list(u32) });
const node: fc.Arbitrary<Node> = fc.oneof(
  leafNode.map((leaf): Node => ({ nodeType: 1, leaf })),
  parentNode.map((parent): Node => ({ nodeType: 2, parent })),
);
const ratchetTree = list(fc.option(node, { nil: undefined }), 5);
const groupContext: fc.Arbitrary<GroupContext> = fc.record({
  version: u16,
  cipherSuite: u16,
  groupId: bytes(),
  epoch: u64,
  treeHash: bytes(),
  confirmedTranscriptHash: bytes(),
  extensions: list(extension),
});
const hpkeCiphertext = fc.record({ kemOutput: bytes(), ciphertext: bytes() });
const updatePath: fc.Arbitrary<UpdatePath> = fc.record({
  leafNode,
  nodes: list(fc.record({ encryptionKey: bytes(), encryptedPathSecret: list(hpkeCiphertext) })),
});
const keyPackage: fc.Arbitrary<KeyPackage> = fc.record({
  version: u16,
  cipherSuite: u16,
  initKey: bytes(),
  leafNode,
  extensions: list(extension),
  signature: bytes(),
});
const pskId: fc.Arbitrary<PreSharedKeyID> = fc.oneof(
  fc.record({ pskType: fc.constant(1 as const), pskId: bytes(), pskNonce: bytes() }),
  fc.record({ pskType: fc.constant(2 as const), usage: u8, pskGroupId: bytes(), pskEpoch: u64, pskNonce: bytes() }),
);
const extensions = list(extension);
const proposal: fc.Arbitrary<Proposal> = fc.oneof(
  keyPackage.map((keyPackage): Proposal => ({ proposalType: 1, add: { keyPackage } })),
  leafNode.map((leafNode): Proposal => ({ proposalType: 2, update: { leafNode } })),
  u32.map((removed): Proposal => ({ proposalType: 3, remove: { removed } })),
  pskId.map((psk): Proposal => ({ proposalType: 4, psk: { psk } })),
  fc.record({ groupId: bytes(), version: u16, cipherSuite: u16, extensions }).map((reinit): Proposal => ({ proposalType: 5, reinit })),
  bytes().map((kemOutput): Proposal => ({ proposalType: 6, externalInit: { kemOutput } })),
  extensions.map((e): Proposal => ({ proposalType: 7, groupContextExtensions: { extensions: e } })),
);
const proposalOrRef: fc.Arbitrary<ProposalOrRef> = fc.oneof(
  proposal.map((p): ProposalOrRef => ({ type: 1, proposal: p })),
  bytes().map((reference): ProposalOrRef => ({ type: 2, reference })),
);
const commit: fc.Arbitrary<Commit> = fc
  .record({ proposals: list(proposalOrRef), path: fc.option(updatePath, { nil: undefined }) })
  .map(({ proposals, path }) => (path === undefined ? { proposals } : { proposals, path }));
const sender: fc.Arbitrary<Sender> = fc.oneof(
  u32.map((leafIndex): Sender => ({ senderType: 1, leafIndex })),
  u32.map((senderIndex): Sender => ({ senderType: 2, senderIndex })),
  fc.constant<Sender>({ senderType: 3 }),
  fc.constant<Sender>({ senderType: 4 }),
);
const contentBody = fc.oneof(
  bytes().map((applicationData) => ({ contentType: 1 as const, applicationData })),
  proposal.map((p) => ({ contentType: 2 as const, proposal: p })),
  commit.map((c) => ({ contentType: 3 as const, commit: c })),
);
const framedContent: fc.Arbitrary<FramedContent> = fc
  .tuple(fc.record({ groupId: bytes(), epoch: u64, sender, authenticatedData: bytes() }), contentBody)
  .map(([h, b]) => ({ ...h, ...b }));
const authFor = (contentType: number) =>
  fc
    .record({ signature: bytes(), tag: bytes() })
    .map(({ signature, tag }) => (contentType === 3 ? { signature, confirmationTag: tag } : { signature }));
const publicMessage: fc.Arbitrary<PublicMessage> = framedContent.chain((content) =>
  fc
    .tuple(authFor(content.contentType), bytes())
    .map(([auth, tag]): PublicMessage => (content.sender.senderType === 1 ? { content, auth, membershipTag: tag } : { content, auth })),
);
const privateMessage: fc.Arbitrary<PrivateMessage> = fc.record({
  groupId: bytes(),
  epoch: u64,
  contentType: fc.constantFrom(1, 2, 3),
  authenticatedData: bytes(),
  encryptedSenderData: bytes(),
  ciphertext: bytes(),
});
const groupInfo: fc.Arbitrary<GroupInfo> = fc.record({
  groupContext,
  extensions,
  confirmationTag: bytes(),
  signer: u32,
  signature: bytes(),
});
const groupSecrets: fc.Arbitrary<GroupSecrets> = fc
  .record({ joinerSecret: bytes(), pathSecret: fc.option(bytes(), { nil: undefined }), psks: list(pskId) })
  .map(({ pathSecret, ...rest }) => (pathSecret === undefined ? rest : { ...rest, pathSecret }));
const welcome: fc.Arbitrary<Welcome> = fc.record({
  cipherSuite: u16,
  secrets: list(fc.record({ newMember: bytes(), encryptedGroupSecrets: hpkeCiphertext })),
  encryptedGroupInfo: bytes(),
});
const mlsMessage: fc.Arbitrary<MlsMessage> = fc.oneof(
  publicMessage.map((publicMessage): MlsMessage => ({ version: 1, wireFormat: 1, publicMessage })),
  privateMessage.map((privateMessage): MlsMessage => ({ version: 1, wireFormat: 2, privateMessage })),
  welcome.map((w): MlsMessage => ({ version: 1, wireFormat: 3, welcome: w })),
  groupInfo.map((groupInfo): MlsMessage => ({ version: 1, wireFormat: 4, groupInfo })),
  keyPackage.map((keyPackage): MlsMessage => ({ version: 1, wireFormat: 5, keyPackage })),
);
const privateMessageContent: fc.Arbitrary<PrivateMessageContent> = contentBody.chain((b) =>
  fc
    .tuple(authFor(b.contentType), fc.integer({ min: 0, max: 40 }))
    .map(([auth, paddingLength]): PrivateMessageContent => ({ ...b, auth, paddingLength })),
);

// biome-ignore lint/suspicious/noExplicitAny: a table of heterogeneous codecs
type Entry = { arb: fc.Arbitrary<any>; enc: (v: any) => Uint8Array; dec: DualDecoder<any> };
const codecs: Record<string, Entry> = {
  Credential: { arb: credential, enc: W.encodeCredential, dec: W.decodeCredential },
  Extension: { arb: extension, enc: W.encodeExtension, dec: W.decodeExtension },
  Capabilities: { arb: capabilities, enc: W.encodeCapabilities, dec: W.decodeCapabilities },
  LeafNode: { arb: leafNode, enc: W.encodeLeafNode, dec: W.decodeLeafNode },
  ParentNode: { arb: parentNode, enc: W.encodeParentNode, dec: W.decodeParentNode },
  Node: { arb: node, enc: W.encodeNode, dec: W.decodeNode },
  RatchetTree: { arb: ratchetTree, enc: W.encodeRatchetTree, dec: W.decodeRatchetTree },
  GroupContext: { arb: groupContext, enc: W.encodeGroupContext, dec: W.decodeGroupContext },
  HpkeCiphertext: { arb: hpkeCiphertext, enc: W.encodeHpkeCiphertext, dec: W.decodeHpkeCiphertext },
  UpdatePath: { arb: updatePath, enc: W.encodeUpdatePath, dec: W.decodeUpdatePath },
  KeyPackage: { arb: keyPackage, enc: W.encodeKeyPackage, dec: W.decodeKeyPackage },
  PreSharedKeyID: { arb: pskId, enc: W.encodePreSharedKeyID, dec: W.decodePreSharedKeyID },
  PskLabel: {
    arb: fc.record({ id: pskId, index: u16, count: u16 }),
    enc: W.encodePskLabel,
    dec: W.decodePskLabel,
  },
  Proposal: { arb: proposal, enc: W.encodeProposal, dec: W.decodeProposal },
  ProposalOrRef: { arb: proposalOrRef, enc: W.encodeProposalOrRef, dec: W.decodeProposalOrRef },
  Commit: { arb: commit, enc: W.encodeCommit, dec: W.decodeCommit },
  Sender: { arb: sender, enc: W.encodeSender, dec: W.decodeSender },
  FramedContent: { arb: framedContent, enc: W.encodeFramedContent, dec: W.decodeFramedContent },
  AuthenticatedContent: {
    arb: framedContent.chain((content) =>
      fc.tuple(u16, authFor(content.contentType)).map(([wireFormat, auth]) => ({ wireFormat, content, auth })),
    ),
    enc: W.encodeAuthenticatedContent,
    dec: W.decodeAuthenticatedContent,
  },
  PublicMessage: { arb: publicMessage, enc: W.encodePublicMessage, dec: W.decodePublicMessage },
  PrivateMessage: { arb: privateMessage, enc: W.encodePrivateMessage, dec: W.decodePrivateMessage },
  SenderData: {
    arb: fc.record({ leafIndex: u32, generation: u32, reuseGuard: fc.uint8Array({ minLength: 4, maxLength: 4 }) }),
    enc: W.encodeSenderData,
    dec: W.decodeSenderData,
  },
  SenderDataAad: {
    arb: fc.record({ groupId: bytes(), epoch: u64, contentType: u8 }),
    enc: W.encodeSenderDataAad,
    dec: W.decodeSenderDataAad,
  },
  PrivateContentAad: {
    arb: fc.record({ groupId: bytes(), epoch: u64, contentType: u8, authenticatedData: bytes() }),
    enc: W.encodePrivateContentAad,
    dec: W.decodePrivateContentAad,
  },
  GroupInfo: { arb: groupInfo, enc: W.encodeGroupInfo, dec: W.decodeGroupInfo },
  GroupSecrets: { arb: groupSecrets, enc: W.encodeGroupSecrets, dec: W.decodeGroupSecrets },
  Welcome: { arb: welcome, enc: W.encodeWelcome, dec: W.decodeWelcome },
  MlsMessage: { arb: mlsMessage, enc: W.encodeMlsMessage, dec: W.decodeMlsMessage },
  ExternalSenders: {
    arb: list(fc.record({ signatureKey: bytes(), credential })),
    enc: W.encodeExternalSenders,
    dec: W.decodeExternalSenders,
  },
  RequiredCapabilities: {
    arb: fc.record({ extensionTypes: list(u16), proposalTypes: list(u16), credentialTypes: list(u16) }),
    enc: W.encodeRequiredCapabilities,
    dec: W.decodeRequiredCapabilities,
  },
  ExternalPub: { arb: bytes(), enc: W.encodeExternalPub, dec: W.decodeExternalPub },
};

for (const [name, c] of Object.entries(codecs)) {
  test(`${name}: decode(encode(x)) = x and re-encodes identically`, () => {
    fc.assert(
      fc.property(c.arb, (x) => {
        const b = c.enc(x);
        const y = c.dec(b);
        assert.deepStrictEqual(y, plain(x));
        assert.deepStrictEqual(c.enc(y), b);
      }),
      { numRuns: RUNS },
    );
  });
}

test('PrivateMessageContent: round-trips with its padding; non-zero padding is a DecodeError', () => {
  fc.assert(
    fc.property(privateMessageContent, (x) => {
      const b = W.encodePrivateMessageContent(x);
      assert.deepStrictEqual(W.privateMessageContentFromBytes(b, x.contentType), plain(x));
      if (x.paddingLength > 0) {
        const bad = b.slice();
        bad[bad.length - 1] = 1;
        assert.throws(() => W.privateMessageContentFromBytes(bad, x.contentType), DecodeError);
      }
    }),
    { numRuns: RUNS },
  );
});

/**
 * Decoding must either succeed or throw DecodeError, nothing else. The Reader form is used on purpose:
 * `decodeX(bytes)` would convert any stray error into DecodeError and hide the bug.
 */
function onlyDecodeError(dec: (b: Uint8Array) => unknown, b: Uint8Array): void {
  try {
    dec(b);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
  }
}
function viaReader(dec: (r: Reader) => unknown): (b: Uint8Array) => unknown {
  return (b) => {
    const r = new Reader(b);
    dec(r);
    r.done();
  };
}
const decoders: [string, (b: Uint8Array) => unknown][] = [
  ...Object.entries(codecs).map(([n, c]): [string, (b: Uint8Array) => unknown] => [n, viaReader(c.dec)]),
  ...[1, 2, 3, 4].map((ct): [string, (b: Uint8Array) => unknown] => [
    `PrivateMessageContent/${ct}`,
    (b) => W.decodePrivateMessageContent(new Reader(b), ct),
  ]),
];

test('random bytes: every decoder throws only DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      for (const [, dec] of decoders) onlyDecodeError(dec, b);
    }),
    { numRuns: 2000 },
  );
});

type Mutation = { kind: 'flip' | 'truncate' | 'extend' | 'set'; at: number; bit: number; extra: Uint8Array };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'truncate', 'extend', 'set'),
  at: fc.nat(),
  bit: fc.integer({ min: 0, max: 7 }),
  extra: fc.uint8Array({ minLength: 1, maxLength: 8 }),
});
function mutate(b: Uint8Array, m: Mutation): Uint8Array {
  const at = b.length === 0 ? 0 : m.at % b.length;
  if (m.kind === 'truncate') return b.slice(0, at);
  if (m.kind === 'extend') return Uint8Array.from([...b, ...m.extra]);
  const out = b.slice();
  if (out.length === 0) return out;
  out[at] = m.kind === 'flip' ? (out[at] as number) ^ (1 << m.bit) : 0xff;
  return out;
}

for (const [name, c] of Object.entries(codecs)) {
  test(`${name}: mutated valid encodings throw only DecodeError`, () => {
    fc.assert(
      fc.property(c.arb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (x, ms) => {
        let b = c.enc(x);
        for (const m of ms) b = mutate(b, m);
        onlyDecodeError(viaReader(c.dec), b);
      }),
      { numRuns: RUNS },
    );
  });
}

test('messages.json: mutated vector messages throw only DecodeError', (t) => {
  const vs = loadVectors<Record<string, string>>('messages').slice(0, 20);
  const msgs = vs.flatMap((v) =>
    ['mls_welcome', 'mls_group_info', 'mls_key_package', 'public_message_commit', 'private_message'].map((k) => hex(v[k] as string)),
  );
  fc.assert(
    fc.property(fc.constantFrom(...msgs), fc.array(mutation, { minLength: 1, maxLength: 4 }), (b, ms) => {
      for (const m of ms) b = mutate(b, m);
      onlyDecodeError(viaReader(W.decodeMlsMessage), b);
    }),
    { numRuns: 5000 },
  );
  t.diagnostic(`${msgs.length} vector messages mutated`);
});
