// Tests for the client's connection state: the outbox sends only when started, caught up, and no catch-up runs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionState } from '../src/client/connection.js';

describe('ConnectionState', () => {
  it('sends only once started and caught up, and waits while a catch-up runs', () => {
    const c = new ConnectionState();
    assert.equal(c.canSend, false);
    assert.equal(c.start(), true);
    assert.equal(c.start(), false, 'a second start is a no-op');
    assert.equal(c.canSend, false, 'not caught up yet');
    c.beginCatchUp();
    c.caughtUp();
    assert.equal(c.catchingUp, true);
    assert.equal(c.canSend, false, 'a catch-up is still running');
    c.endCatchUp();
    assert.equal(c.canSend, true);
  });

  it('a lost network, a stop or a close holds the outbox', () => {
    const c = new ConnectionState();
    c.start();
    c.caughtUp();
    c.lost();
    assert.equal(c.canSend, false);
    c.caughtUp();
    c.stop();
    assert.deepEqual([c.started, c.connected, c.canSend], [false, false, false]);
    c.start();
    c.caughtUp();
    c.close();
    assert.deepEqual([c.live, c.canSend], [false, false]);
  });

  it('a failed start leaves it stopped', () => {
    const c = new ConnectionState();
    c.start();
    c.startFailed();
    assert.equal(c.started, false);
    assert.equal(c.start(), true);
  });
});
