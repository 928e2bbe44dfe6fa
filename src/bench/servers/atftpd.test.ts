import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ATFTPD_MAX_THREADS, atftpdArgs } from './atftpd.js';

/** The value following `flag` in `args`, or undefined. */
function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

test('atftpd runs standalone in the foreground, bound to one address on port 69', () => {
  const args = atftpdArgs('/dev/shm/root', '/tmp/x/atftpd.log', '198.18.0.2');
  assert.ok(args.includes('--daemon'));
  assert.ok(args.includes('--no-fork'), 'without --no-fork it would fork away from the PID the harness stops');
  assert.equal(valueOf(args, '--bind-address'), '198.18.0.2');
  assert.equal(valueOf(args, '--port'), '69');
  assert.equal(valueOf(args, '--logfile'), '/tmp/x/atftpd.log');
  assert.equal(args.at(-1), '/dev/shm/root', 'the root directory is the last argument');
});

test('atftpd limits are raised above the 100-client case and windowing is left on', () => {
  const args = atftpdArgs('/r', '/l');
  assert.ok(Number(valueOf(args, '--maxthread')) >= 100);
  assert.equal(Number(valueOf(args, '--maxthread')), ATFTPD_MAX_THREADS);
  for (const off of ['--no-windowsize', '--no-blksize', '--no-tsize']) assert.ok(!args.includes(off), `${off} must not be set`);
});
