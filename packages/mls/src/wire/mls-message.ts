// RFC 9420 §6 MLSMessage: version, wire_format, then the selected message.

import { dualDecoder, dualEncoder } from '../codec/dual.js';
import type { Reader, Writer } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { decodePrivateMessage, decodePublicMessage, encodePrivateMessage, encodePublicMessage } from './framing.js';
import { decodeKeyPackage, encodeKeyPackage } from './key-package.js';
import { type MlsMessage, ProtocolVersion, WireFormat } from './types.js';
import { decodeGroupInfo, decodeWelcome, encodeGroupInfo, encodeWelcome } from './welcome.js';

export const encodeMlsMessage = dualEncoder((w: Writer, v: MlsMessage) => {
  w.u16(v.version).u16(v.wireFormat);
  switch (v.wireFormat) {
    case WireFormat.mls_public_message:
      return encodePublicMessage(w, v.publicMessage);
    case WireFormat.mls_private_message:
      return encodePrivateMessage(w, v.privateMessage);
    case WireFormat.mls_welcome:
      return encodeWelcome(w, v.welcome);
    case WireFormat.mls_group_info:
      return encodeGroupInfo(w, v.groupInfo);
    case WireFormat.mls_key_package:
      return encodeKeyPackage(w, v.keyPackage);
  }
});

export const decodeMlsMessage = dualDecoder((r: Reader): MlsMessage => {
  const version = r.u16();
  if (version !== ProtocolVersion.mls10) throw new DecodeError('unsupported protocol version');
  const wireFormat = r.u16();
  switch (wireFormat) {
    case WireFormat.mls_public_message:
      return { version, wireFormat, publicMessage: decodePublicMessage(r) };
    case WireFormat.mls_private_message:
      return { version, wireFormat, privateMessage: decodePrivateMessage(r) };
    case WireFormat.mls_welcome:
      return { version, wireFormat, welcome: decodeWelcome(r) };
    case WireFormat.mls_group_info:
      return { version, wireFormat, groupInfo: decodeGroupInfo(r) };
    case WireFormat.mls_key_package:
      return { version, wireFormat, keyPackage: decodeKeyPackage(r) };
    default:
      throw new DecodeError('unknown wire format');
  }
});
