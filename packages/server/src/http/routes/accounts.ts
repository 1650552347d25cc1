// Accounts and devices: registration (invite or open), device certificates, revocations, lookup.

import { isAccountName } from '@sotto/identity';
import {
  type AccountLookupResponse,
  type AddDeviceRequest,
  DEVICE_NAME_MAX_CHARS,
  type DeviceNameRequest,
  type DeviceNameResponse,
  type OwnDevicesResponse,
  MAX_CERTIFICATE_BYTES,
  MAX_REVOCATION_BYTES,
  MAX_TOKEN_LENGTH,
  type RegisteredResponse,
  type RegisterRequest,
  type RevokeDeviceRequest,
  type RevokeDeviceResponse,
} from '@sotto/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SottoError } from '../../errors.js';
import { fromB64, toB64 } from '../../util/encoding.js';
import { type AppContext, sessionOf } from '../context.js';
import { accountName, b64, deviceId } from '../schemas.js';

const registered = {
  type: 'object',
  required: ['account', 'deviceId'],
  properties: { account: { type: 'string' }, deviceId: { type: 'string' } },
} as const;

/** Refusals that tell an attacker something (a taken name, a bad invite or certificate); each spends the IP's failure budget. */
const COUNTED = new Set(['CONFLICT', 'INVITE_INVALID', 'BAD_CERTIFICATE']);

/** Runs `fn` unless the client IP has used up its failure budget; a counted refusal spends one unit of it. */
async function withFailureBudget<T>(ctx: AppContext, req: FastifyRequest, fn: () => Promise<T>): Promise<T> {
  if (!ctx.limits.failures.has(req.ip, ctx.clock.now())) {
    ctx.metrics.limitRefusals('limit="registration_failures"');
    throw new SottoError('RATE_LIMITED', 'too many refused registrations from this address; retry later');
  }
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SottoError && COUNTED.has(e.code)) ctx.limits.failures.take(req.ip, ctx.clock.now());
    throw e;
  }
}

const DEVICE_NAME_MAX = DEVICE_NAME_MAX_CHARS;

/**
 * A device name as stored: NFC, trimmed, at most DEVICE_NAME_MAX characters, and no control or formatting characters
 * (no newlines to forge lines in a listing, no bidirectional overrides to disguise it).
 */
export function deviceName(raw: string): string {
  const name = raw.normalize('NFC').trim();
  if ([...name].length > DEVICE_NAME_MAX) throw new SottoError('VALIDATION', `a device name has at most ${DEVICE_NAME_MAX} characters`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(name))
    throw new SottoError('VALIDATION', 'a device name cannot hold control or formatting characters');
  return name;
}

export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post<{ Body: RegisterRequest }>(
    '/accounts',
    {
      config: { ipLimit: true },
      schema: {
        summary: 'Register an account with its first device',
        description:
          'The device certificate (signed by the new account key) names the account. Needs an invite token unless registration is open.',
        tags: ['accounts'],
        body: {
          type: 'object',
          required: ['certificate'],
          additionalProperties: false,
          properties: {
            certificate: b64(MAX_CERTIFICATE_BYTES, 'DeviceCertificate (packages/identity encoding)'),
            invite: { type: 'string', minLength: 1, maxLength: MAX_TOKEN_LENGTH },
          },
        },
        response: { 201: registered },
      },
    },
    async (req, reply) => {
      const cert = fromB64(req.body.certificate, 'certificate', MAX_CERTIFICATE_BYTES);
      const r = await withFailureBudget(ctx, req, () => ctx.auth.register(cert, req.body.invite));
      req.log.info({ event: 'account.registered' }, 'account registered');
      return reply.status(201).send(r satisfies RegisteredResponse);
    },
  );

  app.post<{ Body: AddDeviceRequest }>(
    '/devices',
    {
      config: { ipLimit: true },
      schema: {
        summary: 'Add a device to an account',
        description: 'Authorised by the certificate itself: it must verify under the account key already registered.',
        tags: ['accounts'],
        body: {
          type: 'object',
          required: ['certificate'],
          additionalProperties: false,
          properties: { certificate: b64(MAX_CERTIFICATE_BYTES) },
        },
        response: { 201: registered },
      },
    },
    async (req, reply) => {
      const cert = fromB64(req.body.certificate, 'certificate', MAX_CERTIFICATE_BYTES);
      const r = await withFailureBudget(ctx, req, () => ctx.auth.addDevice(cert));
      return reply.status(201).send(r satisfies RegisteredResponse);
    },
  );

  app.post<{ Body: RevokeDeviceRequest }>(
    '/devices/revoke',
    {
      config: { ipLimit: true },
      schema: {
        summary: 'Revoke a device',
        description: 'A DeviceRevocation signed by the account key. The device loses its tokens, queue, KeyPackages and group routes.',
        tags: ['accounts'],
        body: {
          type: 'object',
          required: ['revocation'],
          additionalProperties: false,
          properties: { revocation: b64(MAX_REVOCATION_BYTES) },
        },
        response: { 200: { type: 'object', properties: { revoked: { type: 'boolean' } } } },
      },
    },
    async (req) => {
      const rev = fromB64(req.body.revocation, 'revocation', MAX_REVOCATION_BYTES);
      await withFailureBudget(ctx, req, () => ctx.auth.revokeDevice(rev));
      return { revoked: true } satisfies RevokeDeviceResponse;
    },
  );

  app.get(
    '/devices',
    {
      config: { auth: true },
      schema: {
        summary: "The caller's own live devices, with their names and when they were added",
        description: 'Only the devices of the calling account; names never appear in an account lookup.',
        tags: ['accounts'],
        response: {
          200: {
            type: 'object',
            properties: {
              devices: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { deviceId: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'integer' } },
                },
              },
            },
          },
        },
      },
    },
    async (req) => ({ devices: await ctx.storage.listDeviceNames(sessionOf(req).account) }) satisfies OwnDevicesResponse,
  );

  app.put<{ Params: { deviceId: string }; Body: DeviceNameRequest }>(
    '/devices/:deviceId/name',
    {
      config: { auth: true },
      schema: {
        summary: 'Name one of your own devices',
        description: `At most ${DEVICE_NAME_MAX} characters, no control or formatting characters; an empty name clears it.`,
        tags: ['accounts'],
        params: { type: 'object', required: ['deviceId'], properties: { deviceId } },
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', maxLength: DEVICE_NAME_MAX * 2 } },
        },
        response: { 200: { type: 'object', properties: { deviceId: { type: 'string' }, name: { type: 'string' } } } },
      },
    },
    async (req) => {
      const name = deviceName(req.body.name);
      const me = sessionOf(req).account;
      if (!(await ctx.storage.setDeviceName(me, req.params.deviceId, name)))
        throw new SottoError('NOT_FOUND', 'no such device on this account');
      return { deviceId: req.params.deviceId, name } satisfies DeviceNameResponse;
    },
  );

  app.get<{ Params: { name: string } }>(
    '/accounts/:name',
    {
      config: { auth: true },
      schema: {
        summary: 'Look up an account: its key and the certificates of its live devices',
        description: 'Rate-limited per calling account (directory.lookupsPerMinute).',
        tags: ['accounts'],
        params: { type: 'object', required: ['name'], properties: { name: accountName } },
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              accountKey: { type: 'string' },
              devices: {
                type: 'array',
                items: { type: 'object', properties: { deviceId: { type: 'string' }, certificate: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    async (req) => {
      if (!isAccountName(req.params.name)) throw new SottoError('VALIDATION', 'not an account name');
      if (!ctx.limits.lookups.take(sessionOf(req).account, ctx.clock.now())) {
        ctx.metrics.limitRefusals('limit="directory_lookups"');
        throw new SottoError('RATE_LIMITED', 'too many account lookups; retry later');
      }
      const a = await ctx.storage.getAccount(req.params.name);
      if (a?.status !== 'active') throw new SottoError('NOT_FOUND', 'no such account');
      const devices = (await ctx.storage.listDevices(a.name)).filter((d) => d.revokedAt === null);
      return {
        name: a.name,
        accountKey: toB64(a.accountKey),
        devices: devices.map((d) => ({ deviceId: d.deviceId, certificate: toB64(d.certificate) })),
      } satisfies AccountLookupResponse;
    },
  );
}
