import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MacByIp } from './mac-by-ip.js';
import { MacClaimCheck, rememberBoundLeases } from './mac-claim-check.js';

const A = '52:54:00:00:00:0a';
const B = '52:54:00:00:00:0b';
const arp = (rows: [string, string][]): string =>
  'IP address       HW type     Flags       HW address            Mask     Device\n' + rows.map(([ip, mac]) => `${ip}  0x1  0x2  ${mac}  *  br0`).join('\n') + '\n';

function setup(rows: [string, string][] = []): { check: MacClaimCheck; macs: MacByIp; table: { rows: [string, string][]; reads: number }; clock: { t: number } } {
  const macs = new MacByIp();
  const table = { rows, reads: 0 };
  const clock = { t: 1000 };
  const check = new MacClaimCheck({
    macs,
    readNeighbours: () => {
      table.reads++;
      return arp(table.rows);
    },
    now: () => clock.t,
  });
  return { check, macs, table, clock };
}

test('our DHCP replies name the address: agrees without reading the neighbour table', () => {
  const { check, macs, table } = setup();
  macs.remember('198.18.0.10', A);
  assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'agrees' });
  assert.equal(table.reads, 0);
});

test('the neighbour table names the address (proxy mode): agrees, read once a second while it agrees', () => {
  const { check, table, clock } = setup([['198.18.0.10', A]]);
  assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'agrees' });
  clock.t += 500;
  assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'agrees' });
  assert.equal(table.reads, 1);
  clock.t += 600;
  check.check(A, '198.18.0.10');
  assert.equal(table.reads, 2);
});

test('another host naming A: mismatch, known as the neighbour table (freshest) says, else as our replies say', () => {
  const { check, macs } = setup([['198.18.0.20', B]]);
  assert.deepEqual(check.check(A, '198.18.0.20'), { verdict: 'mismatch', known: B });
  macs.remember('198.18.0.30', B);
  assert.deepEqual(check.check(A, '198.18.0.30'), { verdict: 'mismatch', known: B });
});

test('a stale entry in one source does not make an honest client a spoofer', () => {
  const { check, macs } = setup([['198.18.0.10', A]]);
  macs.remember('198.18.0.10', B); // the address was B's once
  assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'agrees' });
});

test('a client that arrived after the last read: the table is read again before judging', () => {
  const { check, table, clock } = setup([['198.18.0.20', B]]);
  assert.deepEqual(check.check(B, '198.18.0.20'), { verdict: 'agrees' });
  clock.t += 25;
  table.rows = [['198.18.0.20', B], ['198.18.0.10', A]];
  assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'agrees' });
  // A copy that names another MAC is believed within its second: a spoofing loop costs no reads.
  const reads = table.reads;
  for (let i = 0; i < 100; i++) assert.deepEqual(check.check(B, '198.18.0.10'), { verdict: 'mismatch', known: A });
  assert.equal(table.reads, reads);
  // An address that changed hands (not through our DHCP) is judged anew once the copy is a second old.
  table.rows = [['198.18.0.10', B]];
  clock.t += 1001;
  assert.deepEqual(check.check(B, '198.18.0.10'), { verdict: 'agrees' });
});

test('a copy naming another MAC is read again before a machine is judged a spoofer: an address that just changed hands', () => {
  const { check, table, clock } = setup([['198.18.0.10', A]]);
  assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'agrees' });
  // B took the address (proxy mode: not through our DHCP) right after that read.
  table.rows = [['198.18.0.10', B]];
  clock.t += 30;
  assert.deepEqual(check.check(B, '198.18.0.10'), { verdict: 'agrees' }, 'B is the address\'s owner now: not a spoofer');
  // A spoofer's loop costs one read per address a second, not one per request.
  const reads = table.reads;
  for (let i = 0; i < 200; i++) {
    clock.t += 5;
    assert.deepEqual(check.check(A, '198.18.0.10'), { verdict: 'mismatch', known: B });
  }
  assert.ok(table.reads - reads <= 2, `${table.reads - reads} reads for 200 spoofed requests over a second`);
});

test('fresh reads are at least 20 ms apart, whatever the addresses asked about', () => {
  const { check, table, clock } = setup([['198.18.0.1', B]]);
  for (let i = 0; i < 1000; i++) {
    clock.t += 1;
    check.macFor(`198.18.${i >> 8}.${i & 255}`);
  }
  assert.ok(table.reads <= 51, `${table.reads} reads in one second of 1 000 new addresses`);
});

test('a client missing from a read made earlier in the same millisecond is not taken for a routed one', () => {
  const { check, table, clock } = setup([['198.18.0.1', B]]);
  assert.deepEqual(check.check(B, '198.18.0.1'), { verdict: 'agrees' }); // reads at t
  table.rows = [['198.18.0.1', B], ['198.18.0.30', A]]; // its ARP, handshake and request, within that millisecond
  assert.deepEqual(check.check(A, '198.18.0.30'), { verdict: 'unknown' }, 'the copy is as fresh as a read can be');
  clock.t += 25;
  assert.deepEqual(check.check(A, '198.18.0.30'), { verdict: 'agrees' }, 'looked for again at once, not a second later');
});

test('an address a fresh read lacked (a routed client) is not looked for again for a second: a flood costs a read a second', () => {
  const { check, table, clock } = setup([['198.18.0.1', B]]);
  assert.deepEqual(check.check(A, '198.18.9.9'), { verdict: 'unknown' });
  const reads = table.reads;
  for (let i = 0; i < 500; i++) {
    clock.t += 1;
    assert.deepEqual(check.check(A, '198.18.9.9'), { verdict: 'unknown' });
    assert.equal(check.macFor('198.18.9.9'), undefined);
  }
  assert.equal(table.reads, reads, 'no read for the known-missing address within its second');
  clock.t += 600;
  check.check(A, '198.18.9.9');
  assert.equal(table.reads, reads + 1, 'then looked for again');
});

test('nothing known of the address (routed client, no lease of ours): unknown; an unreadable table is an empty one', () => {
  const { check } = setup([['198.18.0.1', B]]);
  assert.deepEqual(check.check(A, '198.18.9.9'), { verdict: 'unknown' });
  const broken = new MacClaimCheck({ macs: new MacByIp(), readNeighbours: () => { throw new Error('no procfs'); } });
  assert.deepEqual(broken.check(A, '198.18.0.10'), { verdict: 'unknown' });
  assert.equal(broken.macFor('198.18.0.10'), undefined);
});

test('macFor: our replies, then the neighbour table', () => {
  const { check, macs } = setup([['198.18.0.20', B]]);
  macs.remember('198.18.0.10', A);
  assert.equal(check.macFor('198.18.0.10'), A);
  assert.equal(check.macFor('198.18.0.20'), B);
  assert.equal(check.macFor('198.18.0.30'), undefined);
});

test('rememberBoundLeases: bound and unexpired rows only', () => {
  const macs = new MacByIp();
  const row = { clientId: 'x', hostname: null, updatedAt: 0 };
  rememberBoundLeases(macs, [
    { ...row, address: '198.18.0.10', mac: A, state: 'bound', expiresAt: 2000 },
    { ...row, address: '198.18.0.11', mac: B, state: 'bound', expiresAt: 500 },
    { ...row, address: '198.18.0.12', mac: B, state: 'offered', expiresAt: 2000 },
    { ...row, address: '198.18.0.13', mac: null, state: 'bound', expiresAt: 2000 },
  ], 1000);
  assert.equal(macs.lookup('198.18.0.10'), A);
  for (const ip of ['198.18.0.11', '198.18.0.12', '198.18.0.13']) assert.equal(macs.lookup(ip), undefined, ip);
});
