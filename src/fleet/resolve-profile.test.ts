import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FirmwareFamily } from '../boot/client-facts.js';
import type { FirmwareName } from '../config/schema.js';
import { firmwareNames } from '../config/schema.js';
import type { Group, GroupSelector } from './group.js';
import { discoveredMachine, type Machine } from './machine.js';
import { resolveProfile, type LiveFacts } from './resolve-profile.js';

const MAC = '52:54:00:00:00:01';
const T = 1_800_000_000_000;

function group(name: string, priority: number, selector: GroupSelector, profile = `p-${name}`): Group {
  return { name, priority, selector, profile, source: 'api', updatedAt: T };
}

function machine(over: Partial<Machine> = {}): Machine {
  return { ...discoveredMachine({ mac: MAC, at: T, ip: '198.18.0.50', arch: 7, firmware: 'ipxe', uuid: '4c4c4544-0042-3510-8056-b3c04f4d3232' }), labels: { rack: '3', role: 'db' }, ...over };
}

interface Row {
  name: string;
  machine: Machine | null;
  facts?: Partial<LiveFacts>;
  groups: Group[];
  profile: string;
  by: 'machine' | 'group' | 'default';
  group?: string;
  why?: RegExp;
}

const rows: Row[] = [
  { name: 'unknown machine, no groups: default', machine: null, groups: [], profile: 'default', by: 'default', why: /no groups/ },
  { name: 'unknown machine, groups that do not match: default', machine: null, groups: [group('rack3', 0, { labels: { rack: '3' } })], profile: 'default', by: 'default', why: /no group matched/ },
  { name: 'own profile beats a matching group of any priority', machine: machine({ profile: 'mine' }), groups: [group('all', 1000, {})], profile: 'mine', by: 'machine', why: /beats group all/ },
  { name: 'empty selector selects everyone', machine: null, groups: [group('all', 0, {})], profile: 'p-all', by: 'group', group: 'all', why: /empty selector/ },
  { name: 'higher priority wins over more specific', machine: machine(), groups: [group('specific', 0, { labels: { rack: '3' }, arch: [7] }), group('urgent', 5, {})], profile: 'p-urgent', by: 'group', group: 'urgent', why: /by priority 5 > 0/ },
  { name: 'equal priority: more selector fields wins', machine: machine(), groups: [group('a-broad', 1, { arch: [7, 9] }), group('z-narrow', 1, { arch: [7], labels: { rack: '3' } })], profile: 'p-z-narrow', by: 'group', group: 'z-narrow', why: /specificity 2 > 1/ },
  { name: 'equal priority and specificity: name order', machine: machine(), groups: [group('beta', 1, { arch: [7] }), group('alpha', 1, { labels: { role: 'db' } })], profile: 'p-alpha', by: 'group', group: 'alpha', why: /by name/ },
  { name: 'mac selector', machine: null, groups: [group('m', 0, { macs: ['52:54:00:00:00:09', MAC] })], profile: 'p-m', by: 'group', group: 'm', why: /mac 52:54:00:00:00:01 is listed/ },
  { name: 'mac selector, other mac', machine: null, groups: [group('m', 0, { macs: ['52:54:00:00:00:09'] })], profile: 'default', by: 'default' },
  { name: 'uuid selector from the record', machine: machine(), groups: [group('u', 0, { uuids: ['4c4c4544-0042-3510-8056-b3c04f4d3232'] })], profile: 'p-u', by: 'group' },
  { name: 'uuid selector, uuid never sent', machine: machine({ uuid: null }), groups: [group('u', 0, { uuids: ['4c4c4544-0042-3510-8056-b3c04f4d3232'] })], profile: 'default', by: 'default' },
  { name: 'all labels must match', machine: machine(), groups: [group('l', 0, { labels: { rack: '3', role: 'web' } })], profile: 'default', by: 'default' },
  { name: 'arch from the live request beats the record', machine: machine({ arch: 7 }), facts: { arch: 0 }, groups: [group('bios', 0, { arch: [0] }), group('uefi', 0, { arch: [7, 9] })], profile: 'p-bios', by: 'group', group: 'bios' },
  { name: 'arch unknown never matches an arch selector', machine: null, groups: [group('uefi', 0, { arch: [7] })], profile: 'default', by: 'default' },
  { name: 'firmware selector', machine: machine({ firmware: 'uefi-pxe' }), groups: [group('f', 0, { firmware: ['uefi-pxe', 'uefi-http'] })], profile: 'p-f', by: 'group' },
  { name: 'subnet from the last lease', machine: machine({ lastIp: '198.18.1.7' }), groups: [group('net0', 0, { subnet: '198.18.0.0/24' }), group('net1', 0, { subnet: '198.18.1.0/24' })], profile: 'p-net1', by: 'group', group: 'net1', why: /198\.18\.1\.7 in 198\.18\.1\.0\/24/ },
  { name: 'subnet from the live request', machine: null, facts: { ip: '198.18.0.9' }, groups: [group('net0', 0, { subnet: '198.18.0.0/24' })], profile: 'p-net0', by: 'group' },
  { name: 'all fields must match, one failing is enough', machine: machine(), groups: [group('x', 9, { arch: [7], labels: { rack: '3' }, subnet: '10.0.0.0/8' })], profile: 'default', by: 'default' },
  { name: 'a non-matching group of higher priority does not count', machine: machine(), groups: [group('hi', 100, { arch: [11] }), group('lo', -5, { arch: [7] })], profile: 'p-lo', by: 'group', group: 'lo' },
  { name: 'a null own profile lets groups decide', machine: machine({ profile: null }), groups: [group('all', 0, {})], profile: 'p-all', by: 'group' },
];

describe('resolveProfile', () => {
  for (const row of rows) {
    test(row.name, () => {
      const r = resolveProfile(row.machine, { mac: MAC, ...row.facts }, row.groups, { defaultProfile: 'default' });
      assert.equal(r.profile, row.profile, r.why);
      assert.equal(r.by, row.by, r.why);
      assert.equal(r.group, row.group ?? (row.by === 'group' ? r.group : null));
      if (row.why) assert.match(r.why, row.why);
      assert.equal(r.groups.length, row.groups.length, 'every group gets a verdict');
    });
  }

  test('verdicts list matching groups best first, then the rest by name', () => {
    const r = resolveProfile(machine(), { mac: MAC }, [group('z', 0, { arch: [0] }), group('b', 1, {}), group('a', 2, { arch: [7] }), group('c', 0, { arch: [9] })], { defaultProfile: 'd' });
    assert.deepEqual(r.groups.map((g) => [g.group, g.matched]), [['a', true], ['b', true], ['c', false], ['z', false]]);
    assert.match(r.groups[2]?.reasons[0] ?? '', /arch 7 not in \[9\]/);
  });

  test('the result does not depend on the order groups are given in', () => {
    const gs = [group('a', 1, { arch: [7] }), group('b', 1, { labels: { rack: '3' } }), group('c', 1, { arch: [7], labels: { rack: '3' } }), group('d', 0, {})];
    const first = resolveProfile(machine(), { mac: MAC }, gs, { defaultProfile: 'd' }).profile;
    for (const order of [[3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]]) {
      assert.equal(resolveProfile(machine(), { mac: MAC }, order.map((i) => gs[i] as Group), { defaultProfile: 'd' }).profile, first);
    }
    assert.equal(first, 'p-c');
  });
});

test('firmware names in the config are the firmware families boot/ decides with', () => {
  // Both directions at compile time, then the runtime list.
  const toName = (f: FirmwareFamily): FirmwareName => f;
  const toFamily = (f: FirmwareName): FirmwareFamily => f;
  const all: Record<FirmwareFamily, true> = { 'bios-pxe': true, 'uefi-pxe': true, 'uefi-http': true, ipxe: true, os: true };
  assert.deepEqual([...firmwareNames].sort(), Object.keys(all).sort());
  assert.equal(toFamily(toName('ipxe')), 'ipxe');
});
