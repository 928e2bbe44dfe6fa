/**
 * End to end: machines with different MACs boot different kinds of profile from one bootfleet
 * (full DHCP mode, BIOS: SeaBIOS with QEMU's iPXE ROM), inside namespaces this test makes.
 *
 * - A is marked for install before its first boot: it boots its profile's installer (the lab
 *   kernel with `bf.callback=<done URL with its token>`), whose initramfs calls back with wget;
 *   A is then `installed`, and its second boot (same MAC) gets its normal `linux` profile.
 * - B boots a PXELINUX menu over TFTP: iPXE chains pxelinux.0 with options 209/210 set, PXELINUX
 *   reads `pxelinux.cfg/01-<mac>` (generated) and boots the menu's default entry.
 * - C's profile chains a second iPXE script, which boots with its own marker.
 *
 * Four VM runs, two at a time (these machines have 2 cores): [A first boot, B], then [A again, C].
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { bootLab, LAB_NET, type Lab } from '../lab/topology.js';
import { startVm, type Vm } from '../lab/qemu.js';
import { labAssets, stageHttpRoot } from '../harness/lab-assets.js';
import { doctorOn } from '../harness/doctor-check.js';
import { BootfleetProcess } from '../harness/bootfleet-process.js';

const skip = canUseNetns() ? false : 'needs root to create network namespaces';
const BOOT_TIMEOUT = 150_000;
const TOKEN = 'boot-profiles-admin-token-0123456789';

const macA = '52:54:00:bf:01:0a';
const macB = '52:54:00:bf:01:0b';
const macC = '52:54:00:bf:01:0c';

/** A hostile label, rendered into A's command line: it must arrive as one harmless value. */
const HOSTILE = 'x; reboot || exit ${net0/mac}';

function stageTftpRoot(dir: string): string {
  const root = path.join(dir, 'tftp');
  mkdirSync(root, { recursive: true });
  const assets = labAssets();
  for (const [name, src] of [['vmlinuz', assets.kernel], ['initrd.img', assets.initrd]] as const) {
    const dest = path.join(root, name);
    if (existsSync(dest)) continue;
    try {
      linkSync(src, dest);
    } catch {
      copyFileSync(src, dest);
    }
  }
  return root;
}

describe('end to end: profile kinds and boot once', { skip, timeout: 600_000 }, () => {
  let lab: Lab;
  let server: BootfleetProcess;
  let dir: string;
  const timings: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-profiles-'));
    const httpRoot = stageHttpRoot(dir);
    const base = `http://${LAB_NET.serverAddr}:8080`;
    writeFileSync(
      path.join(httpRoot, 'second.ipxe'),
      ['#!ipxe', `kernel ${base}/vmlinuz initrd=initrd.img console=ttyS0 bf.profile=chained-second`, `initrd ${base}/initrd.img`, 'boot', ''].join('\n'),
    );
    lab = await bootLab({ taps: 3 });
    server = await BootfleetProcess.start(
      lab.server,
      {
        interfaces: [{ name: 'bf0', mode: 'full' }],
        dhcp: { probeSeconds: 0, subnets: [{ subnet: '198.18.0.0/24', pools: [{ start: '198.18.0.100', end: '198.18.0.150' }], router: '198.18.0.1', leaseTime: '1h' }] },
        tftp: { root: stageTftpRoot(dir) },
        http: { port: 8080, root: httpRoot },
        boot: { defaultProfile: 'linux-a' },
        profiles: {
          'linux-a': {
            kernel: 'vmlinuz',
            initrd: ['initrd.img'],
            cmdline: 'console=ttyS0 bf.profile=linux-a bf.host={{ hostname }} bf.note={{ labels.note }}',
            install: 'installer',
          },
          // A stand-in for a real installer: the lab initramfs calls bf.callback back with wget.
          installer: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=installer bf.callback={{ installDoneUrl }}' },
          menu: {
            kind: 'pxelinux',
            default: 'lab',
            entries: [
              { label: 'other', kernel: 'vmlinuz', initrd: ['initrd.img'], append: 'console=ttyS0 bf.profile=menu-other' },
              { label: 'lab', menuLabel: 'Lab kernel for {{ hostname }}', kernel: 'vmlinuz', initrd: ['initrd.img'], append: 'console=ttyS0 bf.profile=menu-lab bf.mac={{ macDashes }}' },
            ],
          },
          chained: { kind: 'chain', url: 'second.ipxe' },
        },
        machines: [
          { mac: macA, profile: 'linux-a', hostname: 'alpha', labels: { note: HOSTILE } },
          { mac: macB, profile: 'menu', hostname: 'bravo' },
          { mac: macC, profile: 'chained' },
        ],
        api: { tokens: [{ name: 'test', token: TOKEN, role: 'admin' }] },
      },
      { dir },
    );
  });

  after(async () => {
    await server?.stop();
    await lab?.destroy();
    await destroyAll();
    if (timings.length) console.log(`boot-profiles timings: ${timings.join(', ')}`);
  });

  function api(method: string, apiPath: string): { status: number; body: Record<string, unknown> } {
    const out = lab.server.run('curl', ['-s', '-X', method, '-H', `Authorization: Bearer ${TOKEN}`, '-w', '\n%{http_code}', `http://127.0.0.1:8081/api/v1${apiPath}`]);
    const lines = out.trimEnd().split('\n');
    const status = Number(lines.pop());
    return { status, body: lines.length ? (JSON.parse(lines.join('\n')) as Record<string, unknown>) : {} };
  }

  /** One VM run: boots until the initramfs prints its command line (and callback), then ends. */
  async function boot(mac: string, tap: number, name: string, wait: RegExp): Promise<{ vm: Vm; match: RegExpMatchArray }> {
    const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[tap]!, mac, firmware: 'bios', name, logDir: dir });
    try {
      const match = await vm.waitFor(wait, BOOT_TIMEOUT);
      timings.push(`${name} ${((Date.now() - vm.startedAt) / 1000).toFixed(1)} s`);
      return { vm, match };
    } finally {
      await vm.stop();
    }
  }

  test('A marked for install boots its installer, which calls back; B boots a PXELINUX menu over TFTP', { timeout: BOOT_TIMEOUT * 2 }, async () => {
    const marked = api('POST', `/machines/${macA}/install`);
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.equal(marked.body['state'], 'installing');

    const [a, b] = await Promise.all([
      boot(macA, 0, 'profiles-a1', /CALLBACK(?:-ERROR)?: .*/),
      boot(macB, 1, 'profiles-b', /CMDLINE: (.*)/),
    ]);

    // A: the installer profile, its token on the command line, and the callback answered "installed".
    const aText = a.vm.serialText();
    assert.match(aText, /CMDLINE: .*bf\.profile=installer/, 'A boots the installer while installing');
    assert.match(aText, /bf\.callback=http:\/\/198\.18\.0\.2:8080\/install\/52-54-00-bf-01-0a\/done\?token=[A-Za-z0-9_-]{43}/);
    assert.equal(a.match[0], 'CALLBACK: installed', aText.split('\n').slice(-15).join('\n'));
    assert.equal(api('GET', `/machines/${macA}`).body['state'], 'installed');
    assert.ok(server.timeline(macA).some((e) => e.kind === 'fleet.installed'), 'a fleet.installed event');

    // B: PXELINUX from iPXE, its generated config, the default entry.
    assert.match(b.match[1]!, /bf\.profile=menu-lab/, 'the default entry of the menu booted');
    assert.match(b.match[1]!, /bf\.mac=52-54-00-bf-01-0b/, 'the entry was rendered for this machine');
    const tftp = server.timeline(macB).filter((e) => e.kind === 'tftp.request').map((e) => String(e.data?.['file']));
    assert.ok(tftp.includes('pxelinux.0'), `TFTP: ${tftp.join(' ')}`);
    assert.ok(tftp.includes('ldlinux.c32'), `TFTP: ${tftp.join(' ')}`);
    assert.ok(tftp.includes('pxelinux.cfg/01-52-54-00-bf-01-0b'), `TFTP: ${tftp.join(' ')}`);
    assert.ok(server.timeline(macB).some((e) => e.kind === 'tftp.pxelinux'), 'the config was generated');

    // The doctor: A's installer ran its own DHCP and called back; B's kernel came over TFTP from PXELINUX.
    const da = doctorOn(macA, server.timeline(macA), 'install-callback');
    assert.equal(da.ok, true, da.summary);
    assert.equal(da.stage, 'installed');
    assert.ok(da.steps.some((s) => /the booted system asks for its own address/.test(s.says)), 'the installer\'s udhcpc is read as the booted system\'s DHCP');
    const db = doctorOn(macB, server.timeline(macB), 'pxelinux-ok');
    assert.equal(db.ok, true, db.summary);
    assert.equal(db.stage, 'kernel');
  });

  test('A boots its normal profile after the install; C chains a second script', { timeout: BOOT_TIMEOUT * 2 }, async () => {
    const [a, c] = await Promise.all([boot(macA, 0, 'profiles-a2', /CMDLINE: (.*)/), boot(macC, 2, 'profiles-c', /CMDLINE: (.*)/)]);
    const aLine = a.match[1]!;
    assert.match(aLine, /bf\.profile=linux-a/, 'installed: the normal profile again');
    assert.doesNotMatch(aLine, /bf\.callback/);
    assert.match(aLine, /bf\.host=alpha/, 'the hostname template');
    // The hostile label is one inert value: no space, no `||`, no `${`.
    assert.match(aLine, /bf\.note=x__reboot____exit___net0\/mac_( |$)/);
    assert.match(c.match[1]!, /bf\.profile=chained-second/);
    const scripts = server.timeline(macC).filter((e) => e.kind === 'http.request').map((e) => String(e.data?.['path']));
    assert.ok(scripts.includes('/second.ipxe'), `HTTP: ${scripts.join(' ')}`);
    const da = doctorOn(macA, server.timeline(macA), 'after-install-ok');
    assert.equal(da.ok, true, da.summary);
    assert.equal(da.stage, 'kernel', 'the reboot after the install is its own attempt');
    const dc = doctorOn(macC, server.timeline(macC), 'chain-ok');
    assert.equal(dc.ok, true, dc.summary);
    assert.equal(dc.stage, 'kernel');
  });
});
