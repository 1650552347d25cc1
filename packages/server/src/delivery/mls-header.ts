// Reads just enough of an MLSMessage (RFC 9420 §6) to route it: wire format, group id, epoch, content type.
// The server never decrypts: PrivateMessage (§6.3) carries these fields in the clear, as does PublicMessage (§6.2).
import { Reader } from '@sotto/mls/codec';
import { SottoError } from '../errors.js';

export const WIRE_PUBLIC = 1;
export const WIRE_PRIVATE = 2;
export const WIRE_WELCOME = 3;
export const WIRE_GROUP_INFO = 4;
export const WIRE_KEY_PACKAGE = 5;

export interface MlsHeader {
  wireFormat: number;
  groupId: Uint8Array;
  epoch: bigint;
  contentType: number;
}

const MAX_EPOCH = BigInt(Number.MAX_SAFE_INTEGER);

/** Parses the header of a PublicMessage or PrivateMessage; anything else is MALFORMED_MLS. */
export function parseMlsHeader(bytes: Uint8Array): MlsHeader {
  try {
    const r = new Reader(bytes);
    const version = r.u16(); // RFC 9420 §6: ProtocolVersion mls10 = 1
    if (version !== 1) throw new SottoError('MALFORMED_MLS', 'unsupported MLS protocol version');
    const wireFormat = r.u16();
    if (wireFormat !== WIRE_PUBLIC && wireFormat !== WIRE_PRIVATE) {
      throw new SottoError('MALFORMED_MLS', 'expected a PublicMessage or PrivateMessage');
    }
    const groupId = r.bytes();
    if (groupId.length === 0 || groupId.length > 255) throw new SottoError('MALFORMED_MLS', 'group id must be 1-255 bytes');
    const epoch = r.u64();
    if (epoch > MAX_EPOCH) throw new SottoError('MALFORMED_MLS', 'epoch out of range');
    let contentType: number;
    if (wireFormat === WIRE_PUBLIC) {
      // §6.2 FramedContent: sender, authenticated_data, content_type
      const senderType = r.u8();
      if (senderType === 1 || senderType === 2) r.u32();
      else if (senderType !== 3 && senderType !== 4) throw new SottoError('MALFORMED_MLS', 'unknown sender type');
      r.bytes();
      contentType = r.u8();
    } else {
      // §6.3 PrivateMessage: content_type follows the epoch
      contentType = r.u8();
    }
    if (contentType < 1 || contentType > 3) throw new SottoError('MALFORMED_MLS', 'unknown content type');
    return { wireFormat, groupId, epoch, contentType };
  } catch (e) {
    if (e instanceof SottoError) throw e;
    throw new SottoError('MALFORMED_MLS', 'the message is not a well-formed MLSMessage');
  }
}

/** Checks that bytes start like an MLSMessage of wire format `wire` (the body stays opaque). */
export function checkMlsWireFormat(bytes: Uint8Array, wire: number, what: string): void {
  if (bytes.length < 5 || bytes[0] !== 0 || bytes[1] !== 1 || bytes[2] !== 0 || bytes[3] !== wire) {
    throw new SottoError('MALFORMED_MLS', `${what} must be an MLSMessage with wire format ${wire}`);
  }
}
