// The clear header of a PublicMessage or PrivateMessage (RFC 9420 §6.2, §6.3): wire format, group id, epoch and
// content type, read without verifying or decrypting anything. A Delivery Service routes on it; a client picks the
// group state (current or past epoch) a message needs before it processes the whole message.
import { Reader } from '../codec/tls-codec.js';
import { DecodeError } from '../errors.js';
import { decodeSender } from './framing.js';
import { ContentType, ProtocolVersion, WireFormat } from './types.js';

export interface MlsHeader {
  /** 1 PublicMessage, 2 PrivateMessage (RFC 9420 §6). */
  readonly wireFormat: number;
  readonly groupId: Uint8Array;
  readonly epoch: bigint;
  /** 1 application, 2 proposal, 3 commit (RFC 9420 §6). */
  readonly contentType: number;
  /** authenticated_data (RFC 9420 §6.1): sent in the clear in both wire formats; a view into the message bytes. */
  readonly authenticatedData: Uint8Array;
}

/**
 * Reads the header of an MLSMessage carrying a PublicMessage or PrivateMessage. Only the fields up to the content
 * type are read; the rest stays unchecked. Throws DecodeError for anything else, malformed or truncated input included.
 */
export function parseMlsHeader(bytes: Uint8Array): MlsHeader {
  const r = new Reader(bytes);
  // RFC 9420 §6: MLSMessage = version, wire_format, then the message.
  if (r.u16() !== ProtocolVersion.mls10) throw new DecodeError('unsupported protocol version');
  const wireFormat = r.u16();
  if (wireFormat !== WireFormat.mls_public_message && wireFormat !== WireFormat.mls_private_message) {
    throw new DecodeError('not a PublicMessage or PrivateMessage');
  }
  const groupId = r.bytes();
  const epoch = r.u64();
  let authenticatedData: Uint8Array | undefined;
  if (wireFormat === WireFormat.mls_public_message) {
    // §6.2: FramedContent = group_id, epoch, sender, authenticated_data, content_type, ...
    decodeSender(r);
    authenticatedData = r.bytes();
  }
  // §6.3: in a PrivateMessage, content_type follows the epoch, then authenticated_data.
  const contentType = r.u8();
  if (contentType !== ContentType.application && contentType !== ContentType.proposal && contentType !== ContentType.commit) {
    throw new DecodeError('unknown content type');
  }
  authenticatedData ??= r.bytes();
  return { wireFormat, groupId, epoch, contentType, authenticatedData };
}
