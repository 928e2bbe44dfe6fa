/**
 * The parser against dnsmasq's own syntax check (`dnsmasq --test`): for each line, bootfleet
 * accepts exactly when dnsmasq 2.90 does — except the few lines listed as deliberately
 * stricter, where dnsmasq silently reads nonsense (an option number 0, `encap:` with no
 * number). Runs without root; skipped when dnsmasq is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDnsmasqConfText } from './load.js';

function dnsmasqAvailable(): boolean {
  try {
    execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const LINES: readonly string[] = [
  'dhcp-range=198.18.0.100,198.18.0.200',
  'dhcp-range=198.18.0.100,198.18.0.200,255.255.255.0,12h',
  'dhcp-range=198.18.0.100,198.18.0.200,255.255.255.0,198.18.0.255,infinite',
  'dhcp-range=198.18.0.0,proxy',
  'dhcp-range=tag:lan,set:pool,198.18.0.10,198.18.0.20,30m',
  'dhcp-range=198.18.0.10',
  'dhcp-range=198.18.0.10,bogus',
  'dhcp-range=198.18.0.10,198.18.1.20,255.255.255.0',
  'dhcp-range=198.18.0.10,198.18.0.20,10x',
  'dhcp-range=set:a,set:b,198.18.0.10,198.18.0.20',
  'dhcp-host=52:54:00:12:34:56,198.18.0.50,web1,infinite',
  'dhcp-host=52:54:00:*:*:*,ignore',
  'dhcp-host=id:01:52:54:00:12:34:56,set:lab,tag:ipxe,2h',
  'dhcp-host=52:54:zz:12:34:56',
  'dhcp-host=bad name!',
  'dhcp-boot=pxelinux.0',
  'dhcp-boot=tag:efi,tag:!ipxe,ipxe.efi,,198.18.0.2',
  'dhcp-boot=net:#gpxe,undionly.kpxe,bootsrv,198.18.0.2',
  'dhcp-boot=tag:efi',
  'dhcp-match=set:ipxe,175',
  'dhcp-match=set:efi,option:client-arch,7',
  'dhcp-match=set:pxe,60,PXEClient',
  'dhcp-match=set:x,97,00:*:02',
  'dhcp-match=set:cisco,vi-encap:9',
  'dhcp-match=175',
  'dhcp-match=set:a,set:b,175',
  'dhcp-match=set:a,encap:175,1',
  'dhcp-match=set:a,option:nonexistent',
  'dhcp-vendorclass=set:pxe,PXEClient',
  'dhcp-vendorclass=pxe,PXEClient:Arch:00000',
  'dhcp-userclass=set:ipxe,iPXE',
  'dhcp-userclass=ipxe',
  'dhcp-mac=set:qemu,52:54:00:*:*:*',
  'dhcp-mac=set:qemu',
  'tag-if=set:a,tag:b,tag:!c',
  'tag-if=tag:b',
  'tag-if=set:a,b',
  'dhcp-option=3,198.18.0.1',
  'dhcp-option=option:router,198.18.0.1',
  'dhcp-option=option:dns-server,0.0.0.0,9.9.9.9',
  'dhcp-option=option:router',
  'dhcp-option=66,"198.18.0.2"',
  'dhcp-option=17,"iscsi:198.18.0.2::::iqn.2024-01.lab:disk"',
  'dhcp-option=encap:175,176,1b',
  'dhcp-option=vendor:PXEClient,6,2b',
  'dhcp-option=vendor:,1,0.0.0.0',
  'dhcp-option=vi-encap:2,10,text',
  'dhcp-option=119,lab.example,example',
  'dhcp-option=121,10.0.0.0/8,198.18.0.1',
  'dhcp-option=option:T1,1h',
  'dhcp-option=tag:a,net:#b,17,/root',
  'dhcp-option=option:router,nonsense',
  'dhcp-option=option:nonexistent,1',
  'dhcp-option=router,198.18.0.1',
  'dhcp-option=option:message-type,5',
  'dhcp-option=43,5',
  'dhcp-option-force=208,f1:00:74:7e',
  'dhcp-option-force=209,pxelinux.cfg/default',
  'dhcp-no-override',
  'dhcp-no-override=1',
  'dhcp-authoritative',
  'no-ping',
  'dhcp-ignore=tag:!known',
  'dhcp-leasefile=/tmp/leases',
  'enable-tftp',
  'enable-tftp=eth0',
  'tftp-root=/tmp',
  'tftp-secure',
  'tftp-no-blocksize',
  'tftp-max=100',
  'tftp-max=many',
  'tftp-lowercase',
  'tftp-port-range=5000,6000',
  'tftp-port-range=5000',
  'pxe-service=x86PC,"Network boot",undionly',
  'pxe-service=X86-64_EFI,"UEFI",ipxe.efi,198.18.0.9',
  'pxe-service=tag:!ipxe,x86PC,"Local"',
  'pxe-service=Amiga,"x",y',
  'pxe-service=x86PC',
  'pxe-prompt="Press F8",10',
  'pxe-prompt=tag:x',
  'log-dhcp',
  'interface=eth0,eth1',
  'except-interface=wlan0',
  'bind-interfaces',
  'listen-address=127.0.0.1',
  'listen-address=eth0',
  'port=0',
  'port=70000',
  'no-such-directive',
];

/** Lines dnsmasq accepts that bootfleet refuses on purpose: dnsmasq reads them as nonsense. */
const STRICTER: readonly string[] = [
  'dhcp-option=,foo', // dnsmasq: option number 0 (never sent)
  'dhcp-option=encap:x,1,1', // dnsmasq: atoi("x") = encapsulated in option 0
];

test('bootfleet accepts a line exactly when `dnsmasq --test` does', { skip: dnsmasqAvailable() ? false : 'needs dnsmasq' }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-syntax-'));
  try {
    const dnsmasqAccepts = (line: string): boolean => {
      const file = path.join(dir, 'test.conf');
      writeFileSync(file, `${line}\n`);
      try {
        execFileSync('dnsmasq', ['--test', `--conf-file=${file}`], { stdio: 'pipe', timeout: 5000 });
        return true;
      } catch {
        return false;
      }
    };
    const weAccept = (line: string): boolean => parseDnsmasqConfText(line, 'test.conf').problems.length === 0;
    const disagree = LINES.filter((l) => dnsmasqAccepts(l) !== weAccept(l)).map((l) => `${l} (dnsmasq ${dnsmasqAccepts(l) ? 'accepts' : 'refuses'})`);
    assert.deepEqual(disagree, []);
    for (const l of STRICTER) {
      assert.equal(dnsmasqAccepts(l), true, l);
      assert.equal(weAccept(l), false, l);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
