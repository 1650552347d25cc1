// Reads the clear header of an MLSMessage (RFC 9420 §6): wire format, group id, epoch, content type. No decryption.

export interface MlsHeader {
  wireFormat: number;
  groupId: Uint8Array;
  epoch: bigint;
  /** 1 application, 2 proposal, 3 commit (RFC 9420 §6). */
  contentType: number;
}

/** RFC 9420 §2.1.2 variable-length integer (QUIC style). */
function varint(b: Uint8Array, at: number): [number, number] {
  const first = b[at];
  if (first === undefined) throw new RangeError('truncated');
  const len = 1 << (first >> 6);
  let v = first & 0x3f;
  for (let i = 1; i < len; i++) {
    const x = b[at + i];
    if (x === undefined) throw new RangeError('truncated');
    v = v * 256 + x;
  }
  return [v, at + len];
}

export function parseMlsHeader(b: Uint8Array): MlsHeader {
  if (b.length < 8) throw new RangeError('MLS message too short');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const wireFormat = dv.getUint16(2);
  if (wireFormat !== 1 && wireFormat !== 2) throw new RangeError('not a PublicMessage or PrivateMessage');
  const [len, at] = varint(b, 4);
  const groupId = b.slice(at, at + len);
  let p = at + len;
  if (p + 8 > b.length) throw new RangeError('truncated');
  const epoch = dv.getBigUint64(p);
  p += 8;
  let contentType: number;
  if (wireFormat === 2) contentType = b[p] ?? 0;
  else {
    const senderType = b[p] ?? 0;
    p += 1;
    if (senderType === 1 || senderType === 2) p += 4;
    const [adLen, next] = varint(b, p);
    contentType = b[next + adLen] ?? 0;
  }
  return { wireFormat, groupId, epoch, contentType };
}
