// RFC 9420 §10 KeyPackage creation: a fresh init key pair, a key_package leaf node with a lifetime, signed.

import { signWithLabel } from '../crypto/labels.js';
import type { CipherSuite, KeyPair, MlsDeps } from '../crypto/provider.js';
import { redactSecrets } from '../crypto/secret.js';
import {
  type Bytes,
  type Capabilities,
  type Credential,
  type Extension,
  ExtensionType,
  encodeKeyPackageTbs,
  encodeLeafNodeTbs,
  type KeyPackage,
  type LeafNode,
  LeafNodeSource,
  ProtocolVersion,
} from '../wire/index.js';
import { assertOwnLeaf } from '../group/own-leaf.js';
import { keyPackageRef } from './ref.js';

/** The private half of a KeyPackage: keep it until the Welcome that consumes it arrives. */
export interface KeyPackagePrivate {
  readonly initPrivateKey: Bytes;
  readonly encryptionPrivateKey: Bytes;
  readonly signaturePrivateKey: Bytes;
}

export interface CreateKeyPackageOptions {
  cipherSuite: number;
  credential: Credential;
  /** The device's long-lived signature key; a fresh one is generated when absent. */
  signaturePrivateKey?: Bytes;
  /** Seconds the KeyPackage stays valid from `deps.now()` (default 90 days); notBefore is one hour back. */
  lifetimeSeconds?: bigint;
  /** Mark as a last-resort KeyPackage (extension 0x000a), reusable when no other is left. */
  lastResort?: boolean;
  /** Extra KeyPackage extensions and leaf node extensions. */
  extensions?: Extension[];
  leafExtensions?: Extension[];
  /** Extra capabilities beyond the defaults (extension and proposal types, credential types). */
  capabilities?: Partial<Capabilities>;
  /**
   * GroupContext extensions of the group this KeyPackage is meant for (e.g. its required_capabilities): checked
   * before signing (V-OWN-01), so a KeyPackage the group would reject is never published.
   */
  groupExtensions?: Extension[];
}

export interface CreatedKeyPackage {
  readonly keyPackage: KeyPackage;
  readonly ref: Bytes;
  readonly privateKeys: KeyPackagePrivate;
}

const DEFAULT_LIFETIME = 90n * 24n * 3600n;

/** Default capabilities (RFC 9420 §7.2): default types need not be listed, non-default ones must be. */
export function defaultCapabilities(cipherSuite: number, extra?: Partial<Capabilities>): Capabilities {
  const uniq = (a: number[]): number[] => [...new Set(a)];
  return {
    versions: uniq([ProtocolVersion.mls10, ...(extra?.versions ?? [])]),
    cipherSuites: uniq([cipherSuite, ...(extra?.cipherSuites ?? [])]),
    extensions: uniq([ExtensionType.last_resort, ...(extra?.extensions ?? [])]),
    proposals: uniq([...(extra?.proposals ?? [])]),
    credentials: uniq([1, ...(extra?.credentials ?? [])]),
  };
}

/** The signature key pair: the device's own key when given (its public half derived), else a fresh one. */
export function signatureKeyPair(suite: CipherSuite, deps: MlsDeps, signaturePrivateKey: Bytes | undefined): KeyPair {
  if (signaturePrivateKey === undefined) return suite.generateSignatureKeyPair(deps.rng);
  return { privateKey: signaturePrivateKey, publicKey: suite.signaturePublicKey(signaturePrivateKey) };
}

/**
 * RFC 9420 §7.2: our own key_package-source LeafNode with a lifetime from `now`, checked against the target group's
 * extensions before it is signed (V-OWN-01). A KeyPackage carries it; a group's creator uses it alone (§11).
 */
export function signOwnLeaf(suite: CipherSuite, now: bigint, opts: CreateKeyPackageOptions, sig: KeyPair, encryptionKey: Bytes): LeafNode {
  const unsignedLeaf: Omit<LeafNode, 'signature'> = {
    encryptionKey,
    signatureKey: sig.publicKey,
    credential: opts.credential,
    capabilities: defaultCapabilities(opts.cipherSuite, opts.capabilities),
    leafNodeSource: LeafNodeSource.key_package,
    lifetime: { notBefore: now > 3600n ? now - 3600n : 0n, notAfter: now + (opts.lifetimeSeconds ?? DEFAULT_LIFETIME) },
    extensions: opts.leafExtensions ?? [],
  };
  const target = opts.groupExtensions && {
    cipherSuite: opts.cipherSuite,
    version: ProtocolVersion.mls10,
    extensions: opts.groupExtensions,
  };
  assertOwnLeaf('KeyPackage', unsignedLeaf, target);
  // RFC 9420 §7.2: LeafNodeTBS for source key_package has no group id / leaf index.
  return { ...unsignedLeaf, signature: signWithLabel(suite, sig.privateKey, 'LeafNodeTBS', encodeLeafNodeTbs(unsignedLeaf)) };
}

export function createKeyPackage(deps: MlsDeps, opts: CreateKeyPackageOptions): CreatedKeyPackage {
  const suite = deps.crypto.suite(opts.cipherSuite);
  const sig = signatureKeyPair(suite, deps, opts.signaturePrivateKey);
  const signaturePrivateKey = sig.privateKey;
  const init = suite.hpke.generateKeyPair(deps.rng);
  const enc = suite.hpke.generateKeyPair(deps.rng);
  const leafNode = signOwnLeaf(suite, deps.now(), opts, sig, enc.publicKey);
  const extensions = [...(opts.extensions ?? [])];
  if (opts.lastResort) extensions.push({ extensionType: ExtensionType.last_resort, extensionData: new Uint8Array(0) });
  const tbs: Omit<KeyPackage, 'signature'> = {
    version: ProtocolVersion.mls10,
    cipherSuite: opts.cipherSuite,
    initKey: init.publicKey,
    leafNode,
    extensions,
  };
  const keyPackage: KeyPackage = {
    ...tbs,
    signature: signWithLabel(suite, signaturePrivateKey, 'KeyPackageTBS', encodeKeyPackageTbs(tbs)),
  };
  const privateKeys: KeyPackagePrivate = redactSecrets(
    {
      initPrivateKey: init.privateKey,
      encryptionPrivateKey: enc.privateKey,
      signaturePrivateKey,
    },
    'KeyPackagePrivate',
  );
  return { keyPackage, ref: keyPackageRef(suite, keyPackage), privateKeys };
}

/** True when the KeyPackage carries the last_resort extension. */
export function isLastResort(kp: KeyPackage): boolean {
  return kp.extensions.some((e) => e.extensionType === ExtensionType.last_resort);
}
