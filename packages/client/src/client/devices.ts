// Devices: linking a new device (QR payload, approval by the primary, joining every conversation) and unlinking one
// (signed revocation, removal from every group). The server cannot add a device: only the account key certifies one.

import { x25519 } from '@noble/curves/ed25519.js';
import { publicKeyOf } from '@sotto/identity';
import { DEVICE_NAME_MAX_CHARS } from '@sotto/protocol';
import { checkCertificate, DeviceIdentity, deviceIdFor } from '../identity/device-identity.js';
import { createLinkQr, decodeLinkQr, encodeLinkQr } from '../link/link-code.js';
import { leavesOf } from '../mls/mls-adapter.js';
import { ApiError } from '../transport/api-error.js';
import { challengeSigner, ServerApi } from '../transport/server-api.js';
import { fromB64Url, toB64Url } from '../util/b64.js';
import { constantTimeEqual } from '../util/bytes.js';
import { sleep } from '../util/mutex.js';
import { SecretBytes } from '../util/secret-bytes.js';
import { ClientError } from './client-error.js';
import { type Core, linkCodeOf } from './ports.js';
import type { DeviceInfo } from './types.js';

export class Devices {
  constructor(readonly c: Core) {}

  /**
   * New device: make keys and a link payload to show (QR text) and wait until an existing device approved it.
   * `done` resolves once this device is registered (call start() then).
   */
  async beginLink(o: {
    serverUrl: string;
    account: string;
    timeoutMs?: number;
  }): Promise<{ qr: string; code: string; deviceId: string; done: Promise<void> }> {
    if (this.c.identity) throw new ClientError('ALREADY_REGISTERED', 'this device already has an account');
    const signatureSecret = this.c.rng(32);
    const signatureKey = publicKeyOf(signatureSecret);
    const encryptionKey = x25519.getPublicKey(this.c.rng(32));
    const payload = createLinkQr({ signatureKey, encryptionKey }, this.c.rng);
    const qr = `sotto-link:1:${toB64Url(encodeLinkQr(payload))}`;
    const code = linkCodeOf(payload.keys, payload.secret.expose());
    const deviceId = deviceIdFor(signatureKey);
    const api = new ServerApi({ baseUrl: o.serverUrl, ...(this.c.fetch ? { fetch: this.c.fetch } : {}) });
    const domain = o.account.slice(o.account.indexOf('@') + 1);
    api.setSigner(challengeSigner(deviceId, domain, signatureSecret));
    const deadline = this.c.now() + (o.timeoutMs ?? 10 * 60_000);
    const done = (async () => {
      for (;;) {
        try {
          await api.token();
          break;
        } catch (e) {
          if (!(e instanceof ApiError) || (e.code !== 'UNAUTHORIZED' && !e.retryable)) throw e;
        }
        if (this.c.now() > deadline) throw new ClientError('LINK_TIMEOUT', 'no device approved this link in time');
        await sleep(1000); // two unauthenticated requests per poll: stay well under the server's per-address limit
      }
      const acct = await api.lookupAccount(o.account);
      const mine = acct.devices.find((d) => d.deviceId === deviceId);
      if (!mine) throw new ClientError('BAD_LINK', 'the server does not list this device');
      const cert = checkCertificate(mine.certificate, this.c.now());
      if (
        !constantTimeEqual(cert.signatureKey, signatureKey) ||
        cert.accountName !== o.account ||
        !constantTimeEqual(cert.accountKey, acct.accountKey)
      ) {
        throw new ClientError('BAD_LINK', 'the certificate does not match this device');
      }
      const identity = new DeviceIdentity({
        accountName: o.account,
        accountKey: cert.accountKey,
        signatureSecret: new SecretBytes(signatureSecret),
        certificate: mine.certificate,
      });
      await this.c.adopt(identity, o.serverUrl);
    })();
    return { qr, code, deviceId, done };
  }

  /**
   * Primary device: approve a new device from its link payload: certify and register it, wait for its KeyPackages,
   * then add it to every conversation. Returns its id and the confirmation code to compare with its screen.
   */
  /** Read a link payload without acting on it: the new device's id and the confirmation code both screens must show. */
  inspectLink(qrText: string): { deviceId: string; code: string } {
    const payload = this.#decodeLink(qrText);
    return { deviceId: deviceIdFor(payload.keys.signatureKey), code: linkCodeOf(payload.keys, payload.secret.expose()) };
  }

  #decodeLink(qrText: string): ReturnType<typeof decodeLinkQr> {
    const m = /^sotto-link:1:([A-Za-z0-9_-]+)$/.exec(qrText.trim());
    if (!m?.[1]) throw new ClientError('BAD_LINK', 'not a Sotto link payload');
    return decodeLinkQr(fromB64Url(m[1]));
  }

  async approveLink(
    qrText: string,
    o: { timeoutMs?: number; code?: string } = {},
  ): Promise<{ deviceId: string; code: string; conversations: number }> {
    const me = this.c.need();
    if (!me.isPrimary) throw new ClientError('NOT_PRIMARY', 'only the device holding the account key can approve a new device');
    const payload = this.#decodeLink(qrText);
    const code = linkCodeOf(payload.keys, payload.secret.expose());
    // The user confirmed a code (typed from the new device's screen): it must match before anything is signed.
    if (o.code !== undefined && normalizeCode(o.code) !== normalizeCode(code))
      throw new ClientError(
        'CODE_MISMATCH',
        `the confirmation code does not match the one of device ${deviceIdFor(payload.keys.signatureKey)}: nothing was approved`,
      );
    const cert = me.certify(payload.keys.signatureKey, this.c.now());
    const deviceId = deviceIdFor(payload.keys.signatureKey);
    try {
      await this.c.a.addDevice(cert);
    } catch (e) {
      // Approving the same payload again (e.g. after an interruption) resumes: the device is already registered.
      if (!(
        e instanceof ApiError &&
        e.code === 'CONFLICT' &&
        (await this.c.a.lookupAccount(me.accountName)).devices.some((d) => d.deviceId === deviceId)
      ))
        throw e;
    }
    // Wait for the new device's first KeyPackage (it uploads right after it sees its certificate).
    const deadline = this.c.now() + (o.timeoutMs ?? 120_000);
    let first: Uint8Array | undefined;
    while (!first) {
      try {
        first = (await this.c.a.claimKeyPackages(me.accountName)).find((k) => k.deviceId === deviceId)?.keyPackage;
      } catch (e) {
        if (!(e instanceof ApiError) || (e.code !== 'NO_KEY_PACKAGE' && !e.retryable)) throw e;
      }
      if (first) break;
      if (this.c.now() > deadline) throw new ClientError('LINK_TIMEOUT', 'the new device did not publish KeyPackages in time');
      await sleep(300);
    }
    let n = 0;
    for (const rec of [...this.c.convs.values()]) {
      if (rec.state === 'removed' || rec.state === 'left' || rec.state === 'deleted' || rec.policyViolation) continue;
      const kp = first ?? (await this.c.a.claimKeyPackages(me.accountName)).find((k) => k.deviceId === deviceId)?.keyPackage;
      first = undefined;
      if (!kp) continue;
      await this.c.commits.addKeyPackages(rec.id, [{ deviceId, keyPackage: kp, account: me.accountName }]);
      if (rec.state === 'active') {
        await this.c.sender.sendBody(
          rec.id,
          { type: 'device-link', action: 'linked', deviceId: new TextEncoder().encode(deviceId) },
          { store: false },
        );
      }
      n++;
    }
    return { deviceId, code, conversations: n };
  }

  /** Devices of this account, as the server lists them. */
  async listDevices(): Promise<DeviceInfo[]> {
    const me = this.c.need();
    const a = await this.c.a.lookupAccount(me.accountName);
    // Names and dates come from the account's own listing; a server without it lists no names.
    const own = await this.c.a.ownDevices().catch((e: unknown) => {
      if (e instanceof ApiError && e.code === 'NOT_FOUND') return [];
      throw e;
    });
    const byId = new Map(own.map((d) => [d.deviceId, d]));
    return a.devices.map((d) => {
      const o = byId.get(d.deviceId);
      return {
        deviceId: d.deviceId,
        current: d.deviceId === me.deviceId,
        name: o?.name ?? '',
        ...(o ? { addedAt: o.createdAt } : {}),
      };
    });
  }

  /** Names a device of this account (any of its devices may); the name is checked here and by the server. */
  async renameDevice(deviceId: string, name: string): Promise<string> {
    this.c.need();
    return this.c.a.setDeviceName(deviceId, checkDeviceName(name));
  }

  /** Primary device: revoke a device (signed) and remove it from every conversation. */
  async unlinkDevice(deviceId: string): Promise<void> {
    const me = this.c.need();
    if (!me.isPrimary) throw new ClientError('NOT_PRIMARY', 'only the device holding the account key can unlink a device');
    if (deviceId === me.deviceId) throw new ClientError('INVALID_ARGUMENT', 'the primary device cannot unlink itself');
    await this.c.a.revokeDevice(me.revoke(deviceId, this.c.now()));
    for (const rec of [...this.c.convs.values()]) {
      const g = this.c.groups.get(rec.id);
      if (!g || rec.state === 'removed' || rec.state === 'left' || rec.policyViolation) continue;
      if (!leavesOf(g).some((l) => l.deviceId === deviceId)) continue;
      await this.c.commits.commitWith(rec.id, (group) => {
        const leaves = leavesOf(group)
          .filter((l) => l.deviceId === deviceId)
          .map((l) => l.leafIndex);
        if (leaves.length === 0) return undefined;
        return { out: this.c.m.remove(group, leaves), submit: {} };
      });
    }
  }
}

/** A confirmation code as typed: case, spaces and dashes do not matter. */
function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** A device name as the server will take it: trimmed, at most DEVICE_NAME_MAX_CHARS characters, no control characters. */
export function checkDeviceName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if ([...name].length > DEVICE_NAME_MAX_CHARS)
    throw new ClientError('INVALID_ARGUMENT', `a device name has at most ${DEVICE_NAME_MAX_CHARS} characters`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name))
    throw new ClientError('INVALID_ARGUMENT', 'a device name cannot hold control or formatting characters');
  return name;
}
