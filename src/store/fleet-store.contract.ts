/**
 * The behaviour every FleetStore must have, as one suite run against each implementation
 * (SQLite now, PostgreSQL later): `runFleetStoreContract('sqlite', …)`.
 */
import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { DeclaredFleet } from '../fleet/declared-fleet.js';
import type { ProfileInput } from '../fleet/group.js';
import type { FleetStore, FleetWrite } from './fleet-store.js';

export interface FleetStoreFactory {
  /** A fresh, empty store. */
  create(): Promise<FleetStore>;
  /** Closes `store` and opens the same storage again (a server restart). */
  reopen?(store: FleetStore): Promise<FleetStore>;
}

const T0 = 1_800_000_000_000;
const M1 = '52:54:00:00:00:01';
const M2 = '52:54:00:00:00:02';
const UUID = '4c4c4544-0042-3510-8056-b3c04f4d3232';

function ok<T>(w: FleetWrite<T>): T {
  assert.ok(w.ok, w.ok ? '' : `${w.reason}: ${w.message}`);
  return w.value;
}

function refused<T>(w: FleetWrite<T>, reason: string): void {
  assert.equal(w.ok, false, `expected ${reason}`);
  if (!w.ok) assert.equal(w.reason, reason, w.message);
}

const profile = (name: string, cmdline = ''): { name: string; kernel: string; initrd: string[]; cmdline: string } => ({ name, kernel: `${name}/vmlinuz`, initrd: [`${name}/initrd.gz`], cmdline });

export function runFleetStoreContract(name: string, factory: FleetStoreFactory): void {
  describe(`FleetStore contract: ${name}`, () => {
    const open: FleetStore[] = [];
    async function fresh(): Promise<FleetStore> {
      const s = await factory.create();
      open.push(s);
      return s;
    }
    async function reopen(s: FleetStore): Promise<FleetStore> {
      assert.ok(factory.reopen, 'this store has no durable storage');
      const again = await factory.reopen(s);
      open.push(again);
      return again;
    }
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    test('an empty store knows nothing', async () => {
      const s = await fresh();
      assert.equal(await s.getMachine(M1), null);
      assert.deepEqual(await s.listMachines(), []);
      assert.deepEqual(await s.listGroups(), []);
      assert.deepEqual(await s.listProfiles(), []);
      assert.equal(await s.getGroup('g'), null);
      assert.equal(await s.getProfile('p'), null);
    });

    test('an unknown MAC that is seen is registered as discovered, once', async () => {
      const s = await fresh();
      const first = await s.recordSightings([{ mac: M1, at: T0, ip: '198.18.0.10', arch: 0, firmware: 'bios-pxe', uuid: UUID, hostname: 'box' }]);
      assert.deepEqual(first.discovered, [M1]);
      const again = await s.recordSightings([{ mac: M1, at: T0 + 5000, ip: '198.18.0.11', arch: 0, firmware: 'ipxe' }, { mac: M2, at: T0 + 5000 }]);
      assert.deepEqual(again.discovered, [M2]);
      const m = await s.getMachine(M1);
      assert.deepEqual(m, {
        mac: M1, uuid: UUID, hostname: 'box', labels: {}, arch: 0, firmware: 'ipxe', firstSeen: T0, lastSeen: T0 + 5000,
        lastIp: '198.18.0.11', state: 'discovered', profile: null, source: 'dhcp', updatedAt: T0 + 5000,
      });
      assert.deepEqual((await s.listMachines()).map((x) => x.mac), [M1, M2]);
    });

    test('patching an unknown MAC creates it; labels merge; the state filter lists it', async () => {
      const s = await fresh();
      ok(await s.putProfile(profile('debian'), T0));
      const created = await s.patchMachine(M2, { labels: { rack: '3', role: 'db' }, hostname: 'db-1' }, T0);
      assert.ok(created.ok && created.created);
      assert.equal(created.value.source, 'api');
      assert.equal(created.value.firstSeen, null);
      const updated = await s.patchMachine(M2, { labels: { role: null, row: '2' }, profile: 'debian' }, T0 + 1);
      assert.ok(updated.ok && !updated.created);
      assert.deepEqual(updated.value.labels, { rack: '3', row: '2' });
      assert.equal(updated.value.state, 'ready', 'given a profile, a discovered machine is ready');
      assert.deepEqual((await s.listMachines({ state: 'ready' })).map((m) => m.mac), [M2]);
      assert.deepEqual(await s.listMachines({ state: 'installed' }), []);
      // Seeing it later keeps what people gave it.
      await s.recordSightings([{ mac: M2, at: T0 + 2, hostname: 'localhost', arch: 7 }]);
      const seen = await s.getMachine(M2);
      assert.deepEqual([seen?.hostname, seen?.profile, seen?.arch, seen?.firstSeen, seen?.state], ['db-1', 'debian', 7, T0 + 2, 'ready']);
    });

    test('a machine may name only a profile that exists; a refused patch stores nothing', async () => {
      const s = await fresh();
      refused(await s.patchMachine(M1, { profile: 'nope', labels: { a: 'b' } }, T0), 'unknown-profile');
      assert.equal(await s.getMachine(M1), null);
      ok(await s.patchMachine(M1, { profile: null }, T0));
    });

    test('machines are deleted; deleting twice says not found', async () => {
      const s = await fresh();
      await s.recordSightings([{ mac: M1, at: T0 }]);
      ok(await s.deleteMachine(M1));
      assert.equal(await s.getMachine(M1), null);
      refused(await s.deleteMachine(M1), 'not-found');
    });

    test('profiles: create, replace, list, delete', async () => {
      const s = await fresh();
      const c = await s.putProfile(profile('b'), T0);
      assert.ok(c.ok && c.created);
      const r = await s.putProfile({ ...profile('b'), cmdline: 'console=ttyS0', initrd: ['x', 'y'] }, T0 + 1);
      assert.ok(r.ok && !r.created);
      ok(await s.putProfile(profile('a'), T0));
      assert.deepEqual((await s.listProfiles()).map((p) => p.name), ['a', 'b']);
      assert.deepEqual(await s.getProfile('b'), { name: 'b', kernel: 'b/vmlinuz', initrd: ['x', 'y'], cmdline: 'console=ttyS0', source: 'api', updatedAt: T0 + 1 });
      ok(await s.deleteProfile('a'));
      refused(await s.deleteProfile('a'), 'not-found');
      assert.deepEqual((await s.listProfiles()).map((p) => p.name), ['b']);
    });

    test('a profile in use by a group or a machine cannot be deleted', async () => {
      const s = await fresh();
      ok(await s.putProfile(profile('p'), T0));
      ok(await s.putGroup({ name: 'g', priority: 0, profile: 'p', selector: {} }, T0));
      ok(await s.patchMachine(M1, { profile: 'p' }, T0));
      const w = await s.deleteProfile('p');
      assert.ok(!w.ok && w.reason === 'in-use');
      if (!w.ok && w.reason === 'in-use') assert.deepEqual(w.usedBy, ['group g', `machine ${M1}`]);
      assert.ok(await s.getProfile('p'));
      ok(await s.deleteGroup('g'));
      ok(await s.patchMachine(M1, { profile: null }, T0));
      ok(await s.deleteProfile('p'));
    });

    test('groups: every selector field round-trips; an unknown profile is refused and nothing stored', async () => {
      const s = await fresh();
      refused(await s.putGroup({ name: 'g', priority: 1, profile: 'nope', selector: {} }, T0), 'unknown-profile');
      assert.equal(await s.getGroup('g'), null);
      ok(await s.putProfile(profile('p'), T0));
      const selector = { macs: [M1, M2], uuids: [UUID], labels: { rack: '3' }, arch: [7, 9], firmware: ['uefi-pxe' as const, 'ipxe' as const], subnet: '198.18.0.0/24' };
      const c = await s.putGroup({ name: 'g', priority: -3, profile: 'p', selector }, T0);
      assert.ok(c.ok && c.created);
      assert.deepEqual(await s.getGroup('g'), { name: 'g', priority: -3, profile: 'p', selector, source: 'api', updatedAt: T0 });
      const r = await s.putGroup({ name: 'g', priority: 5, profile: 'p', selector: {} }, T0 + 1);
      assert.ok(r.ok && !r.created);
      ok(await s.putGroup({ name: 'a', priority: 0, profile: 'p', selector: {} }, T0));
      assert.deepEqual((await s.listGroups()).map((g) => [g.name, g.priority]), [['a', 0], ['g', 5]]);
      ok(await s.deleteGroup('g'));
      refused(await s.deleteGroup('g'), 'not-found');
    });

    const declared: DeclaredFleet = {
      profiles: [profile('cfg-p', 'from=config')],
      groups: [{ name: 'cfg-g', priority: 10, profile: 'cfg-p', selector: { arch: [7] } }],
      machines: [{ mac: M1, profile: 'cfg-p', hostname: 'cfg-host', labels: { rack: '1' } }],
    };

    test('declared objects are stored as config and the API cannot change them (but may set a state)', async () => {
      const s = await fresh();
      await s.recordSightings([{ mac: M1, at: T0 - 10, arch: 7 }]);
      const report = await s.applyDeclared(declared, T0);
      assert.deepEqual([report.profiles.put, report.groups.put, report.machines.put], [1, 1, 1]);
      assert.equal((await s.getProfile('cfg-p'))?.source, 'config');
      assert.equal((await s.getGroup('cfg-g'))?.source, 'config');
      const m = await s.getMachine(M1);
      assert.deepEqual([m?.source, m?.profile, m?.hostname, m?.labels, m?.arch, m?.state], ['config', 'cfg-p', 'cfg-host', { rack: '1' }, 7, 'ready']);

      refused(await s.putProfile(profile('cfg-p'), T0), 'config-owned');
      refused(await s.deleteProfile('cfg-p'), 'config-owned');
      refused(await s.putGroup({ name: 'cfg-g', priority: 0, profile: 'cfg-p', selector: {} }, T0), 'config-owned');
      refused(await s.deleteGroup('cfg-g'), 'config-owned');
      refused(await s.patchMachine(M1, { profile: null }, T0), 'config-owned');
      refused(await s.patchMachine(M1, { labels: { x: 'y' } }, T0), 'config-owned');
      refused(await s.deleteMachine(M1), 'config-owned');
      assert.equal(ok(await s.patchMachine(M1, { state: 'installing' }, T0 + 1)).state, 'installing');
      assert.deepEqual((await s.getMachine(M1))?.labels, { rack: '1' });

      const again = await s.applyDeclared(declared, T0 + 2);
      assert.deepEqual([again.profiles, again.groups, again.machines], [{ put: 0, deleted: 0 }, { put: 0, deleted: 0 }, { put: 0, deleted: 0 }], 'nothing to do twice');
      assert.equal((await s.getMachine(M1))?.state, 'installing', 'a sync keeps the state');
    });

    test('config wins over API objects of the same name; what it stops naming is withdrawn', async () => {
      const s = await fresh();
      ok(await s.putProfile({ ...profile('cfg-p'), cmdline: 'from=api' }, T0));
      ok(await s.putProfile(profile('api-p'), T0));
      const report = await s.applyDeclared(declared, T0 + 1);
      assert.match(report.warnings.join('\n'), /profile cfg-p was made through the API/);
      const cfg = await s.getProfile('cfg-p');
      assert.equal(cfg && 'cmdline' in cfg ? cfg.cmdline : null, 'from=config');
      assert.equal((await s.getProfile('api-p'))?.source, 'api', 'API objects the config does not name stay');

      const next = await s.applyDeclared({ profiles: [profile('cfg-p2')], groups: [], machines: [] }, T0 + 2);
      assert.deepEqual([next.profiles, next.groups, next.machines], [{ put: 1, deleted: 1 }, { put: 0, deleted: 1 }, { put: 0, deleted: 1 }]);
      assert.equal(await s.getGroup('cfg-g'), null);
      assert.equal(await s.getMachine(M1), null, 'declared, never seen, no longer declared: gone');
      assert.deepEqual((await s.listProfiles()).map((p) => p.name), ['api-p', 'cfg-p2']);
    });

    test('profiles of every kind are stored whole and read back equal', async () => {
      const s = await fresh();
      const kinds: ProfileInput[] = [
        { name: 'k-linux', kind: 'linux', kernel: 'k', initrd: [], cmdline: 'x={{ hostname }}', install: 'k-deb' },
        { name: 'k-menu', kind: 'pxelinux', entries: [{ label: 'a', kernel: 'vmlinuz', initrd: ['i'], append: 'quiet', menuLabel: 'A' }], timeout: 50, default: 'a' },
        { name: 'k-chain', kind: 'chain', url: 'http://boot.netboot.xyz/' },
        { name: 'k-san', kind: 'sanboot', rootPath: 'iscsi:198.18.0.2::::iqn.2026-01.example:disk', keepSan: true, drive: 128 },
        { name: 'k-local', kind: 'local' },
        { name: 'k-deb', kind: 'debian-installer', kernel: 'd/linux', initrd: ['d/initrd.gz'], cmdline: '', preseed: 'd-i x string {{ hostname }}\n' },
        { name: 'k-ci', kind: 'cloud-init', kernel: 'c/vmlinuz', initrd: [], cmdline: '', userData: { packages: ['curl'], runcmd: [['echo', '{{ mac }}']] }, metaData: {}, vendorData: { a: 1 } },
      ];
      for (const p of kinds) ok(await s.putProfile(p, T0));
      const back = await s.listProfiles();
      assert.deepEqual(
        back.map((p) => ({ ...p })),
        [...kinds].sort((a, b) => (a.name < b.name ? -1 : 1)).map((p) => ({ ...p, source: 'api', updatedAt: T0 })),
      );
    });

    test('boot once: install marks the machine installing with a token; only that token completes it, once', async () => {
      const s = await fresh();
      refused(await s.beginInstall(M1, 'T'.repeat(43), T0), 'not-found');
      await s.recordSightings([{ mac: M1, at: T0 }]);
      const tokenA = 'a'.repeat(43);
      const tokenB = 'b'.repeat(43);
      assert.equal(ok(await s.beginInstall(M1, tokenA, T0 + 1)).state, 'installing');
      assert.equal(await s.installToken(M1), tokenA);
      // Marked again (a second install run): the earlier token no longer counts.
      ok(await s.beginInstall(M1, tokenB, T0 + 2));
      assert.equal(await s.installToken(M1), tokenB);
      assert.deepEqual(await s.completeInstall(M1, tokenA, T0 + 3), { ok: false, reason: 'wrong-token' });
      assert.deepEqual(await s.completeInstall(M1, '', T0 + 3), { ok: false, reason: 'wrong-token' });
      assert.equal((await s.getMachine(M1))?.state, 'installing', 'a wrong token changes nothing');
      assert.deepEqual(await s.completeInstall(M2, tokenB, T0 + 3), { ok: false, reason: 'unknown-machine' });
      const done = await s.completeInstall(M1, tokenB, T0 + 4);
      assert.ok(done.ok);
      assert.equal(done.machine.state, 'installed');
      assert.equal((await s.getMachine(M1))?.state, 'installed');
      assert.equal(await s.installToken(M1), null, 'the token is spent');
      assert.deepEqual(await s.completeInstall(M1, tokenB, T0 + 5), { ok: false, reason: 'not-installing' }, 'a replayed callback changes nothing');

      // Any other state set by people drops the token too.
      ok(await s.beginInstall(M1, tokenA, T0 + 6));
      ok(await s.patchMachine(M1, { state: 'ready' }, T0 + 7));
      assert.equal(await s.installToken(M1), null);
      assert.deepEqual(await s.completeInstall(M1, tokenA, T0 + 8), { ok: false, reason: 'not-installing' });
      assert.equal((await s.getMachine(M1))?.state, 'ready');
    });

    test('everything survives a restart', async () => {
      const s = await fresh();
      await s.recordSightings([{ mac: M2, at: T0, ip: '198.18.0.2', arch: 7, firmware: 'uefi-pxe', uuid: UUID }]);
      await s.applyDeclared(declared, T0);
      ok(await s.putProfile(profile('api-p', 'a b c'), T0));
      ok(await s.putGroup({ name: 'api-g', priority: 2, profile: 'api-p', selector: { labels: { k: 'v' }, subnet: '198.18.0.0/16' } }, T0));
      ok(await s.patchMachine(M2, { labels: { k: 'v' }, state: 'installed' }, T0 + 1));
      const before = { m: await s.listMachines(), g: await s.listGroups(), p: await s.listProfiles() };
      const again = await reopen(s);
      assert.deepEqual({ m: await again.listMachines(), g: await again.listGroups(), p: await again.listProfiles() }, before);
    });
  });
}
