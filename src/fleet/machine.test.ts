import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, applySighting, discoveredMachine, mergeSightings } from './machine.js';

const MAC = '52:54:00:00:00:01';
const T = 1_800_000_000_000;

test('a first sighting registers the machine as discovered, with what was seen', () => {
  const m = discoveredMachine({ mac: MAC, at: T, ip: '198.18.0.9', arch: 7, firmware: 'uefi-pxe', uuid: null, hostname: 'box' });
  assert.equal(m.state, 'discovered');
  assert.equal(m.source, 'dhcp');
  assert.deepEqual([m.firstSeen, m.lastSeen, m.lastIp, m.arch, m.firmware, m.uuid, m.hostname], [T, T, '198.18.0.9', 7, 'uefi-pxe', null, 'box']);
});

test('later sightings update what was seen; null and absent fields keep the old value', () => {
  const m0 = discoveredMachine({ mac: MAC, at: T, ip: '198.18.0.9', arch: 7, uuid: 'u1' });
  const m1 = applySighting(m0, { mac: MAC, at: T + 10, arch: 0, uuid: null, firmware: 'ipxe' });
  assert.deepEqual([m1.firstSeen, m1.lastSeen, m1.arch, m1.uuid, m1.lastIp, m1.firmware], [T, T + 10, 0, 'u1', '198.18.0.9', 'ipxe']);
});

test('an older sighting arriving late neither moves lastSeen back nor overwrites newer facts', () => {
  const m0 = discoveredMachine({ mac: MAC, at: T + 100, arch: 7 });
  const m1 = applySighting(m0, { mac: MAC, at: T, arch: 0 });
  assert.deepEqual([m1.firstSeen, m1.lastSeen, m1.arch], [T, T + 100, 7]);
});

test('a seen hostname fills an empty one but never replaces a given one', () => {
  const named = { ...discoveredMachine({ mac: MAC, at: T }), hostname: 'db-1' };
  assert.equal(applySighting(named, { mac: MAC, at: T + 1, hostname: 'localhost' }).hostname, 'db-1');
  assert.equal(applySighting(discoveredMachine({ mac: MAC, at: T }), { mac: MAC, at: T + 1, hostname: 'x' }).hostname, 'x');
});

test('sightings merge field by field, the later winning', () => {
  const s = mergeSightings({ mac: MAC, at: T + 5, arch: 7, ip: null }, { mac: MAC, at: T, ip: '198.18.0.2', uuid: 'u' });
  assert.deepEqual(s, { mac: MAC, at: T + 5, arch: 7, ip: '198.18.0.2', uuid: 'u' });
});

test('patches: labels merge, null clears, a profile makes a discovered machine ready', () => {
  const m0 = { ...discoveredMachine({ mac: MAC, at: T }), labels: { a: '1', b: '2' }, hostname: 'h' };
  const m1 = applyPatch(m0, { labels: { b: null, c: '3' }, profile: 'debian', hostname: null }, T + 1);
  assert.deepEqual(m1.labels, { a: '1', c: '3' });
  assert.equal(m1.profile, 'debian');
  assert.equal(m1.hostname, null);
  assert.equal(m1.state, 'ready');
  assert.equal(m1.updatedAt, T + 1);
  assert.equal(applyPatch(m0, { profile: 'x', state: 'installing' }, T).state, 'installing');
  assert.equal(applyPatch({ ...m0, state: 'installed' }, { profile: 'x' }, T).state, 'installed');
  assert.deepEqual(m0.labels, { a: '1', b: '2' }, 'the input is not changed');
});
