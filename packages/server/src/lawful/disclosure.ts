// The signed answer to a lawful request (docs/for-law-enforcement.md "The answer"): the request as registered, the
// answer (the data the inventory yields, what the server does not hold, what lies outside its database), a SHA-256
// manifest of the three parts and the server's Ed25519 signature over evidenceSigningInput(format, generatedAt,
// manifest), the same construction as an evidence package; `sotto-server verify-evidence` checks both.
import {
  canonicalJson,
  DISCLOSURE_FORMAT,
  type DisclosureAnswer,
  type DisclosurePackage,
  evidenceSigningInput,
  sha256Hex,
} from '@sotto/protocol';
import type { SigningKey } from '../moderation/signing-key.js';
import type { LawfulRecord } from './lawful-store.js';

export function buildDisclosure(
  r: LawfulRecord,
  answer: DisclosureAnswer,
  key: SigningKey,
  domain: string,
  now: number,
): DisclosurePackage {
  const server = { domain, publicKey: key.publicKeyBase64 };
  const request = {
    id: r.id,
    instrument: r.instrument,
    authority: r.authority,
    country: r.country,
    reference: r.reference,
    receivedAt: r.receivedAt,
    accounts: r.accounts,
    categories: r.categories,
  };
  const manifest = {
    server: sha256Hex(canonicalJson(server)),
    request: sha256Hex(canonicalJson(request)),
    answer: sha256Hex(canonicalJson(answer)),
  };
  const signature = Buffer.from(key.sign(evidenceSigningInput(DISCLOSURE_FORMAT, now, manifest))).toString('base64');
  return { format: DISCLOSURE_FORMAT, server, generatedAt: now, request, answer, manifest, signature };
}
