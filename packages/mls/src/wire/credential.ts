// RFC 9420 §5.3 Credential (basic and x509); other credential types cannot be decoded (their body is unframed).

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { type Credential, CredentialType } from './types.js';

export const encodeCredential = dualEncoder((w: Writer, v: Credential) => {
  w.u16(v.credentialType);
  if ('identity' in v) w.bytes(v.identity);
  else if ('certificates' in v) w.vector(v.certificates, (ww, c) => ww.bytes(c));
  else w.raw(v.data); // caller-supplied body of a credential type this package does not know
});

export const decodeCredential = dualDecoder((r: Reader): Credential => {
  const credentialType = r.u16();
  if (credentialType === CredentialType.basic) return { credentialType, identity: r.bytes() };
  if (credentialType === CredentialType.x509) return { credentialType, certificates: r.vector((rr) => rr.bytes()) };
  throw new DecodeError('unknown credential type');
});
