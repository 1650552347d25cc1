// Directory: the one port through which the client learns an account's key and devices. Today it is the server's
// account lookup; key transparency will prove the same answers behind this interface (DESIGN.md, Identity).

import { constantTimeEqual } from '../util/bytes.js';
import { checkCertificate } from '../identity/device-identity.js';
import type { ServerApi } from '../transport/server-api.js';
import type { DeviceKey } from './key-change-tracker.js';

/** What the directory says about one account: its account key and the devices that key certified. */
export interface DirectoryEntry {
  account: string;
  accountKey: Uint8Array;
  /** Only devices whose certificate verifies under `accountKey` for this very account. */
  devices: DeviceKey[];
}

export interface Directory {
  lookup(account: string): Promise<DirectoryEntry>;
}

/**
 * The server's directory (GET /v1/accounts/:name). A device certificate that does not verify, names another account
 * or is signed by another key than the answer's account key is left out: the answer only lists what its key certified.
 */
export function serverDirectory(api: () => ServerApi, now: () => number): Directory {
  return {
    async lookup(account) {
      const r = await api().lookupAccount(account);
      const devices = r.devices.flatMap((d) => {
        try {
          const cert = checkCertificate(d.certificate, now());
          const ok = cert.accountName === account && cert.deviceId === d.deviceId && constantTimeEqual(cert.accountKey, r.accountKey);
          return ok ? [{ deviceId: d.deviceId, signatureKey: cert.signatureKey }] : [];
        } catch {
          return [];
        }
      });
      return { account, accountKey: r.accountKey, devices };
    },
  };
}

/** Whether `entry` lists the device `deviceId` with this signature key. */
export function listsDevice(entry: { devices: DeviceKey[] }, deviceId: string, signatureKey: Uint8Array): boolean {
  return entry.devices.some((d) => d.deviceId === deviceId && constantTimeEqual(d.signatureKey, signatureKey));
}
