import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dnsmasqLabConf, scriptUrl, staticBootScript, type DnsmasqLabConf } from './vm-boot-dnsmasq.js';

const conf: DnsmasqLabConf = {
  iface: 'bf0',
  serverAddr: '198.18.0.2',
  router: '198.18.0.1',
  poolStart: '198.18.0.100',
  poolEnd: '198.18.0.104',
  netmask: '255.255.255.0',
  ping: true,
  tftpRoot: '/t/tftp',
  leaseFile: '/t/dnsmasq.leases',
  pidFile: '/t/dnsmasq.pid',
  logFile: '/t/dnsmasq.log',
};

test('dnsmasq.conf for the boot comparison: full DHCP, PXE → iPXE binary over TFTP, iPXE → the HTTP script', () => {
  const lines = dnsmasqLabConf(conf);
  for (const line of [
    'port=0',
    'interface=bf0',
    'bind-interfaces',
    'dhcp-range=198.18.0.100,198.18.0.104,255.255.255.0,1h',
    'dhcp-option=option:router,198.18.0.1',
    'dhcp-leasefile=/t/dnsmasq.leases',
    'dhcp-match=set:ipxe,175',
    'dhcp-match=set:efi-x86_64,option:client-arch,7',
    'dhcp-boot=tag:!ipxe,tag:efi-x86_64,ipxe.efi',
    'dhcp-boot=tag:!ipxe,tag:!efi-x86_64,undionly.kpxe',
    'dhcp-boot=tag:ipxe,http://198.18.0.2:8080/boot.ipxe',
    'enable-tftp',
    'tftp-root=/t/tftp',
  ]) {
    assert.ok(lines.includes(line), `missing ${line}:\n${lines.join('\n')}`);
  }
  // A typical user's dnsmasq pings before each new offer: nothing turns that off by default.
  assert.ok(!lines.includes('no-ping'));
  assert.ok(!lines.some((l) => l.startsWith('dhcp-authoritative')), 'left at dnsmasq default');
  // Every line is one option in dnsmasq.conf syntax: name or name=value, no leading dashes.
  for (const l of lines) assert.match(l, /^[a-z][a-z0-9-]*(=\S+)?$/);
});

test('dnsmasq.conf: ping off adds exactly no-ping', () => {
  const on = dnsmasqLabConf(conf);
  const off = dnsmasqLabConf({ ...conf, ping: false });
  assert.deepEqual(off.filter((l) => !on.includes(l)), ['no-ping']);
  assert.equal(off.length, on.length + 1);
});

test('static script: loads the same kernel and initrd over HTTP, initrd= named for the EFI stub', () => {
  const s = staticBootScript('198.18.0.2', 'console=ttyS0 bf.profile=alpha');
  assert.equal(s.split('\n')[0], '#!ipxe');
  assert.match(s, /^kernel http:\/\/198\.18\.0\.2:8080\/vmlinuz initrd=initrd\.img console=ttyS0 bf\.profile=alpha$/m);
  assert.match(s, /^initrd http:\/\/198\.18\.0\.2:8080\/initrd\.img$/m);
  assert.match(s, /^boot$/m);
  assert.equal(scriptUrl('198.18.0.2'), 'http://198.18.0.2:8080/boot.ipxe');
});
