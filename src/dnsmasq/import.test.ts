import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { parseConfigText } from '../config/load.js';
import { importDnsmasqFile } from './import.js';
import { memoryFs } from './test-fs.js';

const CORPUS = fileURLToPath(new URL('../../test/dnsmasq/', import.meta.url));

describe('bootfleet import dnsmasq', () => {
  for (const name of readdirSync(CORPUS).filter((f) => f.endsWith('.conf')).sort()) {
    test(`${name}: valid bootfleet config, every line carried over or commented`, () => {
      const r = importDnsmasqFile(`${CORPUS}${name}`);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.unaccounted.map((d) => d.text), []);
      const checked = parseConfigText(r.yaml, `${name}.yaml`);
      assert.ok(checked.ok, checked.ok ? '' : JSON.stringify(checked.errors, null, 2));
    });
  }

  test('addresses, router, lease time, reservations, BIOS/UEFI files; DNS lines commented', () => {
    const fs = memoryFs({
      '/etc/dnsmasq.conf': [
        'interface=eth1',
        'domain-needed',
        'dhcp-range=10.1.0.50,10.1.0.150,255.255.255.0,12h',
        'dhcp-option=option:router,10.1.0.1',
        'dhcp-option=option:dns-server,10.1.0.53,10.1.0.54',
        'dhcp-host=52:54:00:00:00:01,10.1.0.10,db1',
        'dhcp-match=set:efi,option:client-arch,7',
        'dhcp-match=set:ipxe,175',
        'dhcp-boot=tag:efi,tag:!ipxe,snponly.efi',
        'dhcp-boot=tag:!ipxe,undionly.kpxe',
        'dhcp-boot=tag:ipxe,http://10.1.0.2/boot.ipxe',
        'dhcp-option=17,/srv/root',
        'enable-tftp',
        'tftp-root=/srv/tftp',
        'dhcp-authoritative',
        'no-ping',
      ].join('\n'),
    });
    const r = importDnsmasqFile('/etc/dnsmasq.conf', { fs });
    const y = parse(r.yaml) as Record<string, Record<string, unknown>>;
    assert.deepEqual(y['interfaces'], [{ name: 'eth1', mode: 'full' }]);
    assert.deepEqual(y['dhcp'], {
      authoritative: true,
      conflictDetection: false,
      subnets: [{ subnet: '10.1.0.0/24', pools: [{ start: '10.1.0.50', end: '10.1.0.150' }], leaseTime: 43200, router: '10.1.0.1', dns: ['10.1.0.53', '10.1.0.54'] }],
      reservations: [{ mac: '52:54:00:00:00:01', address: '10.1.0.10', hostname: 'db1' }],
    });
    assert.deepEqual(y['tftp'], { enabled: true, root: '/srv/tftp' });
    assert.deepEqual(y['boot'], { bios: 'undionly.kpxe', uefi: 'snponly.efi' });
    assert.match(r.yaml, /^# not carried over: domain-needed {2}\[\/etc\/dnsmasq.conf:2\] \(DNS is out of scope\)$/m);
    assert.match(r.yaml, /^# not carried over: dhcp-option=17,\/srv\/root {2}\[\/etc\/dnsmasq.conf:12\] \(bootfleet has no free-form DHCP options yet\)$/m);
    assert.match(r.yaml, /^# not carried over: dhcp-boot=tag:ipxe,http:\/\/10.1.0.2\/boot.ipxe .*own script/m);
    assert.match(r.yaml, /^# same in bootfleet: dhcp-match=set:ipxe,175 /m);
  });

  test('a proxy config becomes a proxy interface with the PXE menu', () => {
    const fs = memoryFs({
      '/p.conf': 'interface=br0\ndhcp-range=10.2.0.0,proxy\npxe-prompt="Choose",10\npxe-service=x86PC,"Network",undionly\npxe-service=x86PC,"Disk"\n',
    });
    const y = parse(importDnsmasqFile('/p.conf', { fs }).yaml) as Record<string, Record<string, unknown>>;
    assert.deepEqual(y['interfaces'], [{ name: 'br0', mode: 'proxy' }]);
    assert.deepEqual(y['boot'], {
      menu: { items: [{ label: 'Network', csa: 'x86PC', plan: 'undionly.0' }, { label: 'Disk', csa: 'x86PC', plan: 'local' }], prompt: { text: 'Choose', timeout: 10 } },
    });
  });

  test('unknown directives and bad values are listed, not fatal', () => {
    const fs = memoryFs({ '/b.conf': 'dhcp-range=10.3.0.10,10.3.0.20\nfrobnicate=yes\ndhcp-boot=tag:x\n' });
    const r = importDnsmasqFile('/b.conf', { fs });
    assert.equal(r.problems.length, 1);
    assert.match(r.yaml, /^# not carried over: frobnicate=yes {2}\[\/b.conf:2\] \(not a dnsmasq directive\)$/m);
    assert.match(r.yaml, /^# not carried over: \/b.conf:3: dhcp-boot: .* \(could not be read\)$/m);
    assert.match(r.yaml, /replace CHANGE-ME/);
  });
});
