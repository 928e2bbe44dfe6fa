import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootfleetMetrics } from './bootfleet-metrics.js';
import { formatPrometheus } from './prometheus-text.js';
import { SqliteLeaseStore } from '../store/sqlite-lease-store.js';

const stats = { transfers: 3, completed: 2, failed: 1, aborted: 0, refused: 4, dropped: 5, active: 0 };

test('counts from events and server stats; label values only from fixed sets', async () => {
  const now = 1_000_000;
  const m = new BootfleetMetrics({
    eventCounts: () => new Map([['dhcp.ack', 7], ['api.request', 3]]),
    dhcp: () => ({ received: 10, replied: 8, dropped: 2, stale: 1 }),
    tftp: () => [stats, { ...stats, active: 2 }],
    leaseCounts: async () => ({ offered: 1, bound: 1, released: 0, expired: 1, declined: 0 }),
    machinesTracked: () => 4,
    now: () => now,
  });
  m.note({ kind: 'dhcp.drop', level: 'warn', msg: 'x', data: { code: 'DHCP_BUSY' } });
  // A code that is not one of ours (never from a client, but still) collapses into OTHER.
  m.note({ kind: 'dhcp.drop', level: 'warn', msg: 'x', data: { code: 'evil"} 1\nbootfleet_fake 9' } });
  m.note({ kind: 'http.request', level: 'info', msg: 'x', data: { status: 206, bytes: 100 } });
  m.note({ kind: 'http.request', level: 'info', msg: 'x', data: { status: 404, bytes: 10 } });
  m.note({ kind: 'tftp.done', level: 'info', msg: 'x', data: { bytes: 512 } });
  const text = formatPrometheus(await m.families());
  m.stop();
  const has = (line: string): void => assert.ok(text.split('\n').includes(line), `${line} in:\n${text}`);
  has('bootfleet_dhcp_received_total 10');
  has('bootfleet_dhcp_stale_total 1');
  has('bootfleet_dhcp_drops_total{code="DHCP_BUSY"} 1');
  has('bootfleet_dhcp_drops_total{code="OTHER"} 1');
  has('bootfleet_dhcp_leases{state="bound"} 1');
  has('bootfleet_dhcp_leases{state="expired"} 1');
  has('bootfleet_dhcp_leases{state="offered"} 1');
  has('bootfleet_dhcp_leases{state="declined"} 0');
  has('bootfleet_tftp_transfers_ended_total{outcome="completed"} 4');
  has('bootfleet_tftp_active_transfers 2');
  has('bootfleet_tftp_sent_bytes_total 512');
  has('bootfleet_http_requests_total{status="2xx"} 1');
  has('bootfleet_http_requests_total{status="4xx"} 1');
  has('bootfleet_http_sent_bytes_total 110');
  has('bootfleet_events_total{kind="dhcp.ack"} 7');
  has('bootfleet_machines_tracked 4');
  assert.ok(!text.includes('api.request'), 'the API\'s own events are not boot events');
  assert.ok(!text.includes('bootfleet_fake'));
});

test('lease gauges come from the store\'s countByState at the scrape\'s clock, never from list()', async () => {
  const now = 1_800_000_000_000;
  const store = SqliteLeaseStore.open(':memory:');
  const claim = (clientId: string, address: string, state: 'offered' | 'bound', expiresAt: number): Promise<unknown> =>
    store.claim({ clientId, mac: '52:54:00:00:00:01', address, state, expiresAt, hostname: null, now: now - 10 });
  await claim('c1', '198.18.0.10', 'bound', now + 3_600_000);
  await claim('c2', '198.18.0.11', 'bound', now - 1);
  await claim('c3', '198.18.0.12', 'offered', now + 30_000);
  const counting = Object.assign(Object.create(store) as SqliteLeaseStore, {
    list: () => Promise.reject(new Error('a scrape must not list the lease table')),
  });
  const m = new BootfleetMetrics({
    eventCounts: () => new Map(),
    dhcp: () => null,
    tftp: () => [],
    leaseCounts: (at) => counting.countByState(at),
    machinesTracked: () => 0,
    now: () => now,
  });
  const text = formatPrometheus(await m.families());
  m.stop();
  await store.close();
  for (const line of ['bootfleet_dhcp_leases{state="bound"} 1', 'bootfleet_dhcp_leases{state="expired"} 1', 'bootfleet_dhcp_leases{state="offered"} 1', 'bootfleet_dhcp_leases{state="released"} 0']) {
    assert.ok(text.split('\n').includes(line), `${line} in:\n${text}`);
  }
});
