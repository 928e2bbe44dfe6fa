import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanSerial, qemuArgs, wholeMatch, type VmOptions } from './qemu.js';
import type { Netns } from './netns.js';

const base: Omit<VmOptions, 'firmware'> = {
  ns: {} as Netns,
  tapName: 'tap0',
  mac: '52:54:00:bf:00:01',
  name: 'vm',
  logDir: '/tmp',
};

test('qemu args: BIOS keeps QEMU\'s iPXE ROM, UEFI empties it and adds OVMF flash', () => {
  const bios = qemuArgs({ ...base, firmware: 'bios' }, '/tmp/s.log', null).join(' ');
  assert.match(bios, /-accel tcg/);
  assert.match(bios, /-nographic/);
  assert.match(bios, /-serial file:\/tmp\/s\.log/);
  assert.match(bios, /-no-reboot/);
  assert.doesNotMatch(bios, /romfile=/);
  assert.doesNotMatch(bios, /pflash/);
  const uefi = qemuArgs({ ...base, firmware: 'uefi', uuid: 'bf000000-0000-4000-8000-000000000001' }, '/tmp/s.log', '/tmp/v.fd').join(' ');
  assert.match(uefi, /virtio-net-pci,netdev=n0,mac=52:54:00:bf:00:01,romfile=,/);
  assert.match(uefi, /unit=1,file=\/tmp\/v\.fd/);
  assert.match(uefi, /-uuid bf000000-/);
});

test('serial cleaning drops ANSI escapes and carriage returns', () => {
  assert.equal(cleanSerial('\x1b[=3h\x1b[2J\x1b[0mSeaBIOS\r\nok\x1b[?7l'), 'SeaBIOS\nok');
});

test('a match is taken only when whole: half a CMDLINE line read mid-write waits for the rest', () => {
  // What CI once saw: the log read between "initrd=" and the rest of the kernel command line.
  const half = 'Run /init\nCMDLINE: initrd=';
  assert.equal(wholeMatch(half, /CMDLINE: (.*)/, false), null, 'not yet: the line may still grow');
  assert.equal(wholeMatch(half, /CMDLINE: (.*)/, true)?.[1], 'initrd=', 'settled output is taken as it is');
  const whole = `${half}initrd.img console=ttyS0 bf.profile=chained-second\nmore`;
  assert.equal(wholeMatch(whole, /CMDLINE: (.*)/, false)?.[1], 'initrd=initrd.img console=ttyS0 bf.profile=chained-second');
  assert.equal(wholeMatch('SeaBIOS (version 1.16)', /SeaBIOS/, false)?.[0], 'SeaBIOS', 'a match followed by more text is whole');
  assert.equal(wholeMatch('nothing yet', /NEVER/, true), null);
});
