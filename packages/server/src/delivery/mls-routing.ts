// What the Delivery Service reads of an MLSMessage (RFC 9420 §6) to route it, without decrypting anything: the
// header that @sotto/mls parses, plus the server's own limits on it, every failure mapped to MALFORMED_MLS.
import { DecodeError, type MlsHeader, parseMlsHeader } from '@sotto/mls';
import { decodeFrankingAad, FrankingError } from '@sotto/protocol';
import { SottoError } from '../errors.js';

export type { MlsHeader };

const MAX_EPOCH = BigInt(Number.MAX_SAFE_INTEGER);

/** The header of a PublicMessage or PrivateMessage (RFC 9420 §6.2, §6.3); anything else is MALFORMED_MLS. */
export function routingHeader(bytes: Uint8Array): MlsHeader {
  let h: MlsHeader;
  try {
    h = parseMlsHeader(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    throw new SottoError('MALFORMED_MLS', 'the message is not a well-formed PublicMessage or PrivateMessage');
  }
  // Sotto's limits, stricter than the RFC's: group ids are 1-255 bytes, epochs fit a JavaScript number.
  if (h.groupId.length === 0 || h.groupId.length > 255) throw new SottoError('MALFORMED_MLS', 'group id must be 1-255 bytes');
  if (h.epoch > MAX_EPOCH) throw new SottoError('MALFORMED_MLS', 'epoch out of range');
  return h;
}

/** Checks that bytes start like an MLSMessage of wire format `wire` (the body stays opaque). */
export function checkMlsWireFormat(bytes: Uint8Array, wire: number, what: string): void {
  if (bytes.length < 5 || bytes[0] !== 0 || bytes[1] !== 1 || bytes[2] !== 0 || bytes[3] !== wire) {
    throw new SottoError('MALFORMED_MLS', `${what} must be an MLSMessage with wire format ${wire}`);
  }
}

/**
 * The franking commitment of an application message: its authenticated_data must be exactly a franking AAD
 * (docs/franking.md), so that no application message can be delivered unreportable. FRANKING_REQUIRED otherwise.
 */
export function frankingCommitmentOf(authenticatedData: Uint8Array): Uint8Array {
  try {
    return decodeFrankingAad(authenticatedData);
  } catch (e) {
    if (!(e instanceof FrankingError)) throw e;
    throw new SottoError('FRANKING_REQUIRED', 'an application message must carry a franking commitment in its authenticated_data');
  }
}
