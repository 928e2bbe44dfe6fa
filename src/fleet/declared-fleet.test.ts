import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema } from '../config/schema.js';
import { declaredFromConfig, planDeclaredSync, type DeclaredFleet, type FleetContents } from './declared-fleet.js';
import { discoveredMachine } from './machine.js';

const T = 1_800_000_000_000;
const empty: FleetContents = { profiles: [], groups: [], machines: [] };

function declared(over: Partial<DeclaredFleet> = {}): DeclaredFleet {
  return { profiles: [{ name: 'p', kernel: 'k', initrd: ['i'], cmdline: 'c' }], groups: [{ name: 'g', priority: 1, profile: 'p', selector: { arch: [7] } }], machines: [], ...over };
}

test('the config is read into profiles, groups and machines', () => {
  const config = configSchema.parse({
    interfaces: [{ name: 'eth0' }],
    profiles: { p: { kernel: 'k' } },
    groups: { uefi: { profile: 'p', selector: { arch: [7, 9], macs: ['52-54-00-AA-BB-CC'] } } },
    machines: [{ mac: '52:54:00:00:00:01', profile: 'p', labels: { rack: '3' } }],
  });
  const d = declaredFromConfig(config);
  assert.deepEqual(d.profiles, [{ name: 'p', kernel: 'k', initrd: [], cmdline: '' }]);
  assert.deepEqual(d.groups, [{ name: 'uefi', priority: 0, profile: 'p', selector: { arch: [7, 9], macs: ['52:54:00:aa:bb:cc'] } }]);
  assert.deepEqual(d.machines, [{ mac: '52:54:00:00:00:01', profile: 'p', hostname: null, labels: { rack: '3' } }]);
});

test('into an empty store: everything is put, marked config', () => {
  const plan = planDeclaredSync(empty, declared({ machines: [{ mac: 'm1', profile: 'p', hostname: 'h', labels: {} }] }), T);
  assert.deepEqual(plan.putProfiles.map((p) => [p.name, p.source]), [['p', 'config']]);
  assert.deepEqual(plan.putGroups.map((g) => [g.name, g.source]), [['g', 'config']]);
  assert.deepEqual(plan.putMachines.map((m) => [m.mac, m.source, m.state, m.profile, m.firstSeen]), [['m1', 'config', 'ready', 'p', null]]);
  assert.deepEqual(plan.warnings, []);
});

test('a second sync of the same config changes nothing', () => {
  const d = declared({ machines: [{ mac: 'm1', profile: 'p', hostname: null, labels: { a: '1' } }] });
  const first = planDeclaredSync(empty, d, T);
  const second = planDeclaredSync({ profiles: first.putProfiles, groups: first.putGroups, machines: first.putMachines }, d, T + 1);
  assert.deepEqual(second, { putProfiles: [], deleteProfiles: [], putGroups: [], deleteGroups: [], putMachines: [], deleteMachines: [], warnings: [] });
});

test('config wins over an API object of the same name, with a warning; other API objects stay', () => {
  const current: FleetContents = {
    profiles: [{ name: 'p', kernel: 'api-k', initrd: [], cmdline: '', source: 'api', updatedAt: T }, { name: 'mine', kernel: 'k', initrd: [], cmdline: '', source: 'api', updatedAt: T }],
    groups: [],
    machines: [],
  };
  const plan = planDeclaredSync(current, declared(), T);
  assert.deepEqual(plan.putProfiles.map((p) => [p.name, 'kernel' in p ? p.kernel : null, p.source]), [['p', 'k', 'config']]);
  assert.deepEqual(plan.deleteProfiles, []);
  assert.match(plan.warnings.join('\n'), /profile p was made through the API/);
});

test('objects the config no longer names are withdrawn; a seen machine stays without its profile', () => {
  const seen = { ...discoveredMachine({ mac: 'm-seen', at: T }), profile: 'old', source: 'config' as const, state: 'ready' as const };
  const never = { ...discoveredMachine({ mac: 'm-never', at: T }), firstSeen: null, lastSeen: null, profile: 'old', source: 'config' as const };
  const current: FleetContents = {
    profiles: [{ name: 'old', kernel: 'k', initrd: [], cmdline: '', source: 'config', updatedAt: T }],
    groups: [{ name: 'gone', priority: 0, profile: 'old', selector: {}, source: 'config', updatedAt: T }],
    machines: [seen, never],
  };
  const plan = planDeclaredSync(current, declared(), T + 1);
  assert.deepEqual(plan.deleteProfiles, ['old']);
  assert.deepEqual(plan.deleteGroups, ['gone']);
  assert.deepEqual(plan.deleteMachines, ['m-never']);
  assert.deepEqual(plan.putMachines.map((m) => [m.mac, m.source, m.profile, m.state]), [['m-seen', 'dhcp', null, 'ready']]);
});

test('a discovered machine the config now names keeps what was seen and becomes ready', () => {
  const m = discoveredMachine({ mac: 'm1', at: T, arch: 7, ip: '198.18.0.5' });
  const plan = planDeclaredSync({ ...empty, machines: [m] }, declared({ machines: [{ mac: 'm1', profile: 'p', hostname: null, labels: {} }] }), T + 1);
  const put = plan.putMachines[0];
  assert.ok(put);
  assert.deepEqual([put.arch, put.lastIp, put.firstSeen, put.state, put.source, put.profile], [7, '198.18.0.5', T, 'ready', 'config', 'p']);
});

test('a group left naming a missing profile is a warning', () => {
  const current: FleetContents = { ...empty, groups: [{ name: 'api-g', priority: 0, profile: 'nope', selector: {}, source: 'api', updatedAt: T }] };
  const plan = planDeclaredSync(current, declared(), T);
  assert.match(plan.warnings.join('\n'), /group api-g names profile nope, which does not exist/);
});

test('the declarations applied in memory give what the store would hold', async () => {
  const { fleetWithDeclared } = await import('./declared-fleet.js');
  const api = { name: 'api-p', kernel: 'k', initrd: [], cmdline: '', source: 'api' as const, updatedAt: T };
  const f = fleetWithDeclared({ ...empty, profiles: [api] }, declared({ machines: [{ mac: 'm1', profile: 'p', hostname: null, labels: {} }] }), T);
  assert.deepEqual(f.profiles.map((p) => [p.name, p.source]), [['api-p', 'api'], ['p', 'config']]);
  assert.deepEqual(f.groups.map((g) => g.name), ['g']);
  assert.deepEqual(f.machines.map((m) => [m.mac, m.profile]), [['m1', 'p']]);
});
