// The in-chat command parser of `sotto chat`: each command, a message that starts with "/", and typing mistakes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChatLine } from '../src/commands/chat-commands.js';

test('plain lines are messages; //text sends a line that starts with "/"', () => {
  assert.deepEqual(parseChatLine('hello there'), { kind: 'text', text: 'hello there' });
  assert.deepEqual(parseChatLine('//etc/hosts is a path'), { kind: 'text', text: '/etc/hosts is a path' });
  assert.deepEqual(parseChatLine('   '), { kind: 'empty' });
});

test('each command with its arguments', () => {
  assert.deepEqual(parseChatLine('/quit'), { kind: 'quit' });
  assert.deepEqual(parseChatLine('/EXIT'), { kind: 'quit' });
  assert.deepEqual(parseChatLine('/help'), { kind: 'help' });
  assert.deepEqual(parseChatLine('/who'), { kind: 'who' });
  assert.deepEqual(parseChatLine('/open team'), { kind: 'open', chat: 'team' });
  assert.deepEqual(parseChatLine('/attach my notes.txt'), { kind: 'attach', file: 'my notes.txt' });
  assert.deepEqual(parseChatLine('/attach "a b.txt"'), { kind: 'attach', file: 'a b.txt' });
  assert.deepEqual(parseChatLine(`/download ${'a'.repeat(32)}`), { kind: 'download', id: 'a'.repeat(32) });
  assert.deepEqual(parseChatLine(`/download ${'a'.repeat(32)} out dir`), { kind: 'download', id: 'a'.repeat(32), dir: 'out dir' });
  assert.deepEqual(parseChatLine('/verify'), { kind: 'verify' });
  assert.deepEqual(parseChatLine('/verify bob'), { kind: 'verify', account: 'bob' });
});

test('an unknown command or a missing argument is a clear line, never a message sent by mistake', () => {
  const unknown = parseChatLine('/opne team');
  assert.equal(unknown.kind, 'invalid');
  assert.match(unknown.kind === 'invalid' ? unknown.message : '', /unknown command \/opne \(type \/help/);
  for (const line of ['/open', '/open a b', '/attach', '/download', '/verify a b']) assert.equal(parseChatLine(line).kind, 'invalid', line);
});
