import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { configSchema } from '../config/schema.js';
import { decide } from './decide.js';
import { factsFromPacket } from './facts-from-packet.js';

// Real requests captured from firmware under QEMU (test/vectors/dhcp/README.md).
const vectors = path.resolve('test/vectors/dhcp');
function facts(name: string) {
  const r = decodeDhcp(readFileSync(path.join(vectors, name)));
  assert.ok(r.ok, `${name} decodes`);
  return factsFromPacket(r.packet);
}

const config = configSchema.parse({ interfaces: [{ name: 'bf0' }], profiles: { default: { kernel: 'vmlinuz' } } });
const ctx = { mode: 'full' as const, serverAddress: '198.18.0.2', httpPort: 8080, config };

test('facts: QEMU iPXE NIC ROM under SeaBIOS is iPXE on BIOS, gets the HTTP script', () => {
  for (const file of ['bios-ipxe-discover.bin', 'bios-ipxe-request.bin']) {
    const f = facts(file);
    assert.equal(f.firmware, 'ipxe');
    assert.equal(f.arch, 0);
    assert.equal(f.userClass, 'iPXE');
    assert.ok(f.ipxe?.http, 'iPXE advertises HTTP in 175.19');
    assert.equal(f.ipxe?.efi, false);
    assert.equal(decide(f, ctx).kind, 'ipxe-script');
  }
});

test('facts: OVMF PXE is UEFI PXE arch 7 with a UUID, gets ipxe.efi over TFTP', () => {
  const f = facts('ovmf-pxe-discover.bin');
  assert.equal(f.firmware, 'uefi-pxe');
  assert.equal(f.arch, 7);
  assert.equal(f.ipxe, null);
  assert.match(f.uuid ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(f.vendorClass, 'PXEClient:Arch:00007:UNDI:003000');
  const plan = decide(f, ctx);
  assert.equal(plan.kind === 'chainload-tftp' ? plan.file : plan.kind, 'ipxe.efi');
});

test('facts: ipxe.efi chained from OVMF is iPXE with the EFI feature: the loop stops', () => {
  const f = facts('ipxe-efi-discover.bin');
  assert.equal(f.firmware, 'ipxe');
  assert.equal(f.arch, 7);
  assert.equal(f.ipxe?.efi, true);
  assert.equal(decide(f, ctx).kind, 'ipxe-script');
});

test('facts: busybox udhcpc is an OS client: address only', () => {
  const f = facts('udhcpc-discover.bin');
  assert.equal(f.firmware, 'os');
  assert.equal(decide(f, ctx).kind, 'no-boot');
  assert.equal(decide(f, { ...ctx, mode: 'proxy' }).kind, 'ignore');
});
