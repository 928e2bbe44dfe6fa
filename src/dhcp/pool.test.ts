import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SubnetConfig } from '../config/schema.js';
import type { Lease } from '../store/lease-store.js';
import { chooseAddress, judgeAddress, subnetContaining, subnetsOf, type PoolQuery } from './pool.js';

const NOW = 1_800_000_000_000;
const subnetConfig: SubnetConfig = {
  subnet: '198.18.0.0/24',
  pools: [
    { start: '198.18.0.100', end: '198.18.0.102' },
    { start: '198.18.0.10', end: '198.18.0.11' },
  ],
  dns: [],
  leaseTime: 3600,
};
const [subnet] = subnetsOf([subnetConfig]);
assert.ok(subnet);

function lease(address: string, clientId: string | null, state: Lease['state'] = 'bound', expiresAt = NOW + 60_000): Lease {
  return { address, clientId, mac: null, state, expiresAt, hostname: null, updatedAt: NOW };
}

function query(over: Partial<PoolQuery> = {}): PoolQuery {
  return { subnet: subnet!, clientId: 'me', mac: '52:54:00:00:00:01', reservations: [], leases: [], now: NOW, exclude: ['198.18.0.1'], ...over };
}

test('lowest free address across pools, in numeric order', () => {
  assert.deepEqual(chooseAddress(query(), null, null), { address: '198.18.0.10', reason: 'lowest-free', reservation: null });
  const leases = [lease('198.18.0.10', 'a'), lease('198.18.0.11', 'b', 'offered')];
  assert.equal(chooseAddress(query({ leases }), null, null)?.address, '198.18.0.100');
});

test('expired and released rows are free again', () => {
  const leases = [lease('198.18.0.10', 'a', 'bound', NOW - 1), lease('198.18.0.11', 'b', 'released')];
  assert.equal(chooseAddress(query({ leases }), null, null)?.address, '198.18.0.10');
});

test('previous address first, then the requested one, when free', () => {
  assert.equal(chooseAddress(query(), '198.18.0.101', '198.18.0.102')?.reason, 'previous');
  assert.equal(chooseAddress(query(), '198.18.0.101', '198.18.0.102')?.address, '198.18.0.101');
  const leases = [lease('198.18.0.101', 'other')];
  assert.deepEqual(chooseAddress(query({ leases }), '198.18.0.101', '198.18.0.102'), {
    address: '198.18.0.102',
    reason: 'requested',
    reservation: null,
  });
  assert.equal(chooseAddress(query(), null, '198.18.0.50')?.address, '198.18.0.10', 'requested outside the pools is ignored');
  assert.equal(chooseAddress(query(), null, '10.0.0.5')?.address, '198.18.0.10');
});

test('a reservation wins, even outside the pools, and is never given to others', () => {
  const reservations = [{ mac: '52:54:00:00:00:01', address: '198.18.0.50', hostname: 'web1' }];
  const mine = chooseAddress(query({ reservations }), '198.18.0.10', '198.18.0.11');
  assert.equal(mine?.address, '198.18.0.50');
  assert.equal(mine?.reason, 'reservation');
  const other = [{ mac: '52:54:00:00:00:99', address: '198.18.0.10', hostname: undefined }];
  assert.equal(chooseAddress(query({ reservations: other }), null, '198.18.0.10')?.address, '198.18.0.11');
  assert.equal(judgeAddress(query({ reservations: other }), '198.18.0.10'), 'reserved-for-other');
  assert.equal(judgeAddress(query({ reservations }), '198.18.0.10'), 'client-has-reservation');
});

test('a reserved address held by another live lease is not offered', () => {
  const reservations = [{ mac: '52:54:00:00:00:01', address: '198.18.0.10', hostname: undefined }];
  assert.equal(chooseAddress(query({ reservations, leases: [lease('198.18.0.10', 'squatter')] }), null, null), null);
});

test('exhaustion returns null; declined and excluded addresses are skipped', () => {
  const leases = ['198.18.0.10', '198.18.0.100', '198.18.0.101', '198.18.0.102'].map((a) => lease(a, 'x'));
  leases.push(lease('198.18.0.11', null, 'declined'));
  assert.equal(chooseAddress(query({ leases }), null, null), null);
  assert.equal(judgeAddress(query({ leases }), '198.18.0.11'), 'declined');
  assert.equal(chooseAddress(query({ exclude: ['198.18.0.10'] }), null, null)?.address, '198.18.0.11');
});

test('judgeAddress names each reason', () => {
  assert.equal(judgeAddress(query(), '198.18.1.10'), 'wrong-subnet');
  assert.equal(judgeAddress(query(), '198.18.0.50'), 'not-in-pool');
  assert.equal(judgeAddress(query({ leases: [lease('198.18.0.10', 'me')] }), '198.18.0.10'), 'ok');
  assert.equal(judgeAddress(query({ leases: [lease('198.18.0.10', 'x')] }), '198.18.0.10'), 'held-by-other');
});

test('pools are clipped to host addresses', () => {
  const [wide] = subnetsOf([{ ...subnetConfig, pools: [{ start: '198.18.0.0', end: '198.18.0.255' }] }]);
  const q = query({ subnet: wide!, exclude: [] });
  assert.equal(chooseAddress(q, null, null)?.address, '198.18.0.1');
  assert.equal(judgeAddress(q, '198.18.0.255'), 'not-in-pool');
  const res = [{ mac: '52:54:00:00:00:01', address: '198.18.0.255', hostname: undefined }];
  assert.equal(judgeAddress({ ...q, reservations: res }, '198.18.0.255'), 'excluded', 'a reservation cannot name the broadcast address');
});

test('subnetContaining picks the most specific subnet', () => {
  const subnets = subnetsOf([subnetConfig, { ...subnetConfig, subnet: '198.18.0.0/16' }]);
  assert.equal(subnetContaining(subnets, '198.18.0.7')?.config.subnet, '198.18.0.0/24');
  assert.equal(subnetContaining(subnets, '198.18.5.7')?.config.subnet, '198.18.0.0/16');
  assert.equal(subnetContaining(subnets, '10.0.0.1'), null);
});
