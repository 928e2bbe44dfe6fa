import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProfileSpec } from '../fleet/group.js';
import { renderBootScript } from './render-boot-script.js';
import { ipxeFailureScript } from './render-fields.js';
import { testContext } from './render-test-context.js';

function script(spec: ProfileSpec, facts: Parameters<typeof testContext>[1] = {}): string {
  const r = renderBootScript(spec, testContext('p', facts));
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.text;
}

const TAIL = (what: string): string[] => [':bootfleet-failed', `echo bootfleet: ${what}`, 'sleep 10', 'exit 1', ''];

describe('iPXE boot script per profile kind', () => {
  test('linux: kernel with initrd= names first, then the templated command line; relative paths under HTTP', () => {
    const text = script({ kernel: 'images/vmlinuz', initrd: ['images/initrd.img', 'http://other/extra.img'], cmdline: 'console=ttyS0 host={{ hostname }} rack={{ labels.rack }}' });
    assert.equal(
      text,
      [
        '#!ipxe',
        '# bootfleet: profile p (linux) for 52:54:00:12:34:56',
        'kernel http://198.18.0.2:8080/images/vmlinuz initrd=initrd.img initrd=extra.img console=ttyS0 host=db-1 rack=3 || goto bootfleet-failed',
        'initrd http://198.18.0.2:8080/images/initrd.img || goto bootfleet-failed',
        'initrd http://other/extra.img || goto bootfleet-failed',
        'boot || goto bootfleet-failed',
        ...TAIL('boot failed'),
      ].join('\n'),
    );
  });

  test('debian-installer: auto mode with this machine\'s preseed URL before the profile\'s own command line', () => {
    const text = script({ kind: 'debian-installer', kernel: 'debian/linux', initrd: ['debian/initrd.gz'], cmdline: 'console=ttyS0', preseed: '' });
    assert.match(text, /^kernel http:\/\/198\.18\.0\.2:8080\/debian\/linux initrd=initrd\.gz auto=true priority=critical url=http:\/\/198\.18\.0\.2:8080\/preseed\/52-54-00-12-34-56\.cfg console=ttyS0 \|\| goto bootfleet-failed$/m);
  });

  test('cloud-init: the NoCloud seed directory of this machine', () => {
    const text = script({ kind: 'cloud-init', kernel: 'vmlinuz', initrd: [], cmdline: '', userData: {}, metaData: {} });
    assert.match(text, /^kernel http:\/\/198\.18\.0\.2:8080\/vmlinuz ds=nocloud-net;s=http:\/\/198\.18\.0\.2:8080\/cloud-init\/52-54-00-12-34-56\/ \|\| goto bootfleet-failed$/m);
  });

  test('chain: a path under HTTP, or any URL (netboot.xyz)', () => {
    assert.match(script({ kind: 'chain', url: 'menus/{{ labels.rack }}.ipxe' }), /^chain http:\/\/198\.18\.0\.2:8080\/menus\/3\.ipxe \|\| goto bootfleet-failed$/m);
    assert.match(script({ kind: 'chain', url: 'https://boot.netboot.xyz/?mac={{ mac | url }}' }), /^chain https:\/\/boot\.netboot\.xyz\/\?mac=52%3A54%3A00%3A12%3A34%3A56 \|\| goto bootfleet-failed$/m);
  });

  test('sanboot: keep-san (the setting 175.8 sets) when asked, drive in hex, iSCSI root paths kept', () => {
    const iscsi = script({ kind: 'sanboot', rootPath: 'iscsi:198.18.0.2::::iqn.2026-01.example:{{ macHex }}', keepSan: true, drive: 128 });
    assert.deepEqual(iscsi.split('\n').slice(2, 4), ['set keep-san 1', 'sanboot --drive 0x80 iscsi:198.18.0.2::::iqn.2026-01.example:525400123456 || goto bootfleet-failed']);
    const iso = script({ kind: 'sanboot', rootPath: 'isos/rescue.iso', keepSan: false });
    assert.deepEqual(iso.split('\n').slice(2, 3), ['sanboot http://198.18.0.2:8080/isos/rescue.iso || goto bootfleet-failed']);
  });

  test('local: exit to the firmware', () => {
    assert.deepEqual(script({ kind: 'local' }).split('\n').slice(2), ['echo bootfleet: booting from the local disk', 'exit', '']);
  });

  test('pxelinux: BIOS only; sets 209/210 and chains pxelinux.0 from TFTP', () => {
    assert.deepEqual(script({ kind: 'pxelinux', entries: [{ label: 'a', kernel: 'k', initrd: [], append: '' }], timeout: 0 }).split('\n').slice(2), [
      'iseq ${platform} pcbios || goto bootfleet-not-bios',
      'set 209:string pxelinux.cfg/01-52-54-00-12-34-56',
      'set 210:string tftp://198.18.0.2/',
      'chain tftp://198.18.0.2/pxelinux.0 || goto bootfleet-failed',
      ':bootfleet-not-bios',
      'echo bootfleet: this profile is a PXELINUX menu, which boots only on BIOS; this client is ${platform}',
      'sleep 10',
      'exit 1',
      ...TAIL('chaining pxelinux.0 failed'),
    ]);
  });

  test('a template error names profile, field, line and cause; the failure script carries no iPXE syntax', () => {
    const r = renderBootScript({ kernel: 'k', initrd: [], cmdline: 'x={{ nope }}' }, testContext('web'));
    assert.ok(!r.ok);
    assert.match(r.error, /^profile web: cmdline, line 1, column 3: unknown variable "nope"/);
    const failure = ipxeFailureScript('52:54:00:12:34:56', r.error);
    assert.equal(failure.split('\n').length, 5);
    assert.doesNotMatch(failure.split('\n')[1] ?? '', /[${};|&#"]/, 'the echo line');
  });

  test('a command line longer than the kernel keeps is refused', () => {
    const r = renderBootScript({ kernel: 'k', initrd: [], cmdline: 'x'.repeat(2100) }, testContext('big'));
    assert.ok(!r.ok);
    assert.match(r.error, /more than the 2047 an x86 kernel keeps/);
  });
});
