// describeError: the one table that maps the SDK's SottoClientError codes to the CLI's exit statuses and messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, ClientError, ContentError, StoreError } from '@sotto/client';
import { CliError, describeError, EXIT, serverUnreachable } from '../src/cli-error.js';

test('SDK error codes map to exit statuses: NETWORK 3, INVALID_ARGUMENT 2, any other code 1', () => {
  const network = describeError(new ApiError('NETWORK', 'fetch failed'));
  assert.equal(network.exitCode, EXIT.network);
  assert.equal(network.code, 'NETWORK');
  assert.match(network.message, /cannot reach the server/);
  assert.equal(describeError(new ClientError('INVALID_ARGUMENT', 'limit must be positive')).exitCode, EXIT.usage);
  assert.deepEqual(describeError(new ClientError('UNKNOWN_CONVERSATION', 'no conversation "bob"')), {
    code: 'UNKNOWN_CONVERSATION',
    message: 'no conversation "bob"',
    exitCode: EXIT.failed,
  });
  // A code without an entry keeps its own message (a ContentError was once reported as INTERNAL).
  assert.deepEqual(describeError(new ContentError('TRUNCATED', 'input ended')), {
    code: 'TRUNCATED',
    message: 'TRUNCATED: input ended',
    exitCode: EXIT.failed,
  });
});

test('messages: a hint follows a server refusal, a store failure is replaced by what to do', () => {
  assert.equal(
    describeError(new ApiError('REGISTRATION_CLOSED', 'registration is closed', 403)).message,
    'registration is closed (this server registers accounts only with an invite: --invite TOKEN)',
  );
  assert.match(describeError(new StoreError('WRONG_PASSPHRASE', 'unwrap failed')).message, /^wrong passphrase for this profile/);
  assert.equal(describeError(new CliError('USAGE', 'missing NAME', EXIT.usage)).exitCode, EXIT.usage);
  assert.equal(describeError(new Error('boom')).code, 'INTERNAL');
});

test('serverUnreachable: only an error whose code maps to the network status', () => {
  assert.equal(serverUnreachable(new ApiError('NETWORK', 'fetch failed')), true);
  assert.equal(serverUnreachable(new ApiError('RATE_LIMITED', 'slow down', 429)), false);
  assert.equal(serverUnreachable(new Error('NETWORK')), false);
});
