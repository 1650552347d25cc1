// Persisted form of a GroupState (versioned TLS-style encoding). It holds every secret of the epoch: store it encrypted.
import { Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { SecretTree } from '../schedule/secret-tree.js';
import { PrivateTree } from '../tree/private-tree.js';
import { RatchetTree } from '../tree/ratchet-tree.js';
import {
  decodeGroupContext,
  decodeProposal,
  decodeRatchetTree,
  decodeReInit,
  decodeSender,
  encodeGroupContext,
  encodeProposal,
  encodeRatchetTree,
  encodeReInit,
  encodeSender,
} from '../wire/index.js';
import { DEFAULT_CONFIG, type EpochKeys, type GroupDeps, type GroupState, makeState, type PastEpoch } from './state.js';

/**
 * 2 adds past epochs (late application messages); 3 adds the ReInit that closed the group (RFC 9420 §11.2). A state
 * without one is still written as 2, so stored bytes do not change; versions 1 and 2 still load.
 */
const FORMAT_VERSION = 2;
const FORMAT_WITH_REINIT = 3;
const KEY_FIELDS = [
  'senderDataSecret',
  'exporterSecret',
  'externalSecret',
  'confirmationKey',
  'membershipKey',
  'resumptionPsk',
  'epochAuthenticator',
  'initSecret',
] as const;

export function serializeGroup(state: GroupState): Uint8Array {
  const w = new Writer(4096);
  w.u8(state.reinit ? FORMAT_WITH_REINIT : FORMAT_VERSION);
  encodeGroupContext(w, state.context);
  encodeRatchetTree(w, state.tree.toNodes());
  w.u32(state.ownLeaf).bytes(state.signaturePrivateKey);
  w.vector(state.privateTree.exportSecrets().keys, (ww, k) => {
    ww.u32(k.node).bytes(k.privateKey).bytes(k.publicKey);
  });
  w.vector([...state.updateKeys], (ww, kp) => {
    ww.bytes(kp.privateKey).bytes(kp.publicKey);
  });
  for (const f of KEY_FIELDS) w.bytes(state.keys[f]);
  w.bytes(state.secretTree.serialize());
  w.bytes(state.interimTranscriptHash).bytes(state.confirmationTag);
  w.vector([...state.pending], (ww, p) => {
    ww.bytes(p.ref);
    encodeProposal(ww, p.proposal);
    encodeSender(ww, p.sender);
  });
  w.vector([...state.resumptionPsks], (ww, [e, psk]) => {
    ww.u64(e).bytes(psk);
  });
  w.bool(state.config.handshakeAsPrivate).u32(state.config.paddingBlock).u32(state.config.resumptionPskEpochs);
  w.u32(state.config.pastEpochs);
  w.vector([...state.pastEpochs], (ww, p) => {
    encodeGroupContext(ww, p.context);
    encodeRatchetTree(ww, p.tree.toNodes());
    ww.bytes(p.senderDataSecret).bytes(p.membershipKey).bytes(p.secretTree.serialize());
  });
  if (state.reinit) {
    encodeReInit(w, state.reinit.proposal);
    w.u64(state.reinit.epoch);
  }
  return w.finish();
}

/** Inverse of serializeGroup. Throws DecodeError on malformed or foreign input. */
export function deserializeGroup(deps: GroupDeps, bytes: Uint8Array): GroupState {
  const r = new Reader(bytes);
  try {
    const version = r.u8();
    if (version !== 1 && version !== FORMAT_VERSION && version !== FORMAT_WITH_REINIT) throw new DecodeError('unknown group state format');
    const context = decodeGroupContext(r);
    const cs = deps.crypto.suite(context.cipherSuite);
    const tree = RatchetTree.fromNodes(cs, decodeRatchetTree(r));
    const ownLeaf = r.u32();
    const signaturePrivateKey = r.bytes();
    const privateTree = PrivateTree.importSecrets({
      leafIndex: ownLeaf,
      keys: r.vector((rr) => ({ node: rr.u32(), privateKey: rr.bytes(), publicKey: rr.bytes() })),
    });
    const updateKeys = r.vector((rr) => ({ privateKey: rr.bytes(), publicKey: rr.bytes() }));
    const keys = Object.fromEntries(KEY_FIELDS.map((f) => [f, r.bytes()])) as unknown as EpochKeys;
    const secretTree = SecretTree.deserialize(cs, r.bytes());
    const interimTranscriptHash = r.bytes();
    const confirmationTag = r.bytes();
    const pending = r.vector((rr) => ({ ref: rr.bytes(), proposal: decodeProposal(rr), sender: decodeSender(rr) }));
    const resumptionPsks = new Map(r.vector((rr) => [rr.u64(), rr.bytes()] as const));
    const base = { handshakeAsPrivate: r.bool(), paddingBlock: r.u32(), resumptionPskEpochs: r.u32() };
    const config = { ...base, pastEpochs: version >= 2 ? r.u32() : DEFAULT_CONFIG.pastEpochs };
    const pastEpochs: PastEpoch[] =
      version >= 2
        ? r.vector((rr) => {
            const ctx = decodeGroupContext(rr);
            return {
              context: ctx,
              tree: RatchetTree.fromNodes(cs, decodeRatchetTree(rr)),
              senderDataSecret: rr.bytes(),
              membershipKey: rr.bytes(),
              secretTree: SecretTree.deserialize(cs, rr.bytes()),
            };
          })
        : [];
    const reinit = version >= FORMAT_WITH_REINIT ? { proposal: decodeReInit(r), epoch: r.u64() } : undefined;
    r.done();
    if (!tree.leaf(ownLeaf)) throw new DecodeError('own leaf is blank');
    return makeState({
      context,
      tree,
      ownLeaf,
      signaturePrivateKey,
      privateTree,
      updateKeys,
      keys,
      secretTree,
      interimTranscriptHash,
      confirmationTag,
      pending,
      resumptionPsks,
      pastEpochs,
      config,
      ...(reinit ? { reinit } : {}),
    });
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError('malformed group state');
  }
}
