// RFC 9420 §8.4 / §8.6: finding the value of each PSK a commit or Welcome names (external or resumption).
import { UsageError, ValidationError } from '../errors.js';
import type { PskInput } from '../schedule/psk.js';
import { bytesEqual } from '../util/bytes.js';
import { type Bytes, type PreSharedKeyID, PskType } from '../wire/index.js';
import type { GroupDeps } from './state.js';

/** Resumption PSKs we can use: of this group, by epoch. */
export interface ResumptionSource {
  readonly groupId: Bytes;
  readonly psks: ReadonlyMap<bigint, Bytes>;
}

/**
 * Looks up every PSK; a missing one is a UsageError for our own commit and ValidationError `code` for a received
 * message (we cannot process it).
 */
export function resolvePsks(
  deps: GroupDeps,
  ids: readonly PreSharedKeyID[],
  resumption: ResumptionSource | readonly ResumptionSource[] | undefined,
  code: string | undefined,
): PskInput[] {
  const sources: readonly ResumptionSource[] = resumption === undefined ? [] : 'groupId' in resumption ? [resumption] : resumption;
  return ids.map((id) => {
    let psk: Bytes | undefined;
    if (id.pskType === PskType.external) psk = deps.externalPsk?.(id.pskId);
    else psk = sources.find((s) => bytesEqual(id.pskGroupId, s.groupId))?.psks.get(id.pskEpoch);
    if (psk === undefined) {
      if (code === undefined) throw new UsageError('a PSK named by the commit is not available');
      throw new ValidationError(code, 'a PSK named by the message is not available');
    }
    return { id, psk };
  });
}
