import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { interfaceIpv4, InterfaceLookupError } from './interfaces.js';

const v6: NetworkInterfaceInfo = { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '52:54:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 };
const v4: NetworkInterfaceInfo = { address: '198.18.0.1', netmask: '255.255.255.0', family: 'IPv4', mac: '52:54:00:00:00:01', internal: false, cidr: '198.18.0.1/24' };

test('returns the first IPv4 address of the interface', () => {
  assert.deepEqual(interfaceIpv4('eth0', { eth0: [v6, v4] }), { name: 'eth0', address: '198.18.0.1', netmask: '255.255.255.0' });
});

test('a missing interface names the ones that exist', () => {
  assert.throws(() => interfaceIpv4('eth9', { eth0: [v4], lo: [] }), (err: unknown) => {
    assert.ok(err instanceof InterfaceLookupError);
    assert.match(err.message, /eth9 not found.*eth0, lo/);
    return true;
  });
});

test('an interface without IPv4 is an error', () => {
  assert.throws(() => interfaceIpv4('eth0', { eth0: [v6] }), /no IPv4 address/);
});

test('loopback is found on this machine', () => {
  assert.equal(interfaceIpv4('lo').address, '127.0.0.1');
});
