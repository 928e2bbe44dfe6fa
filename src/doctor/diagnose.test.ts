import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { diagnose, type DoctorEvent } from './diagnose.js';

/** Timelines captured from real VM boots (src/e2e/boot-full.test.ts with BOOTFLEET_SAVE_TIMELINES). */
function captured(name: string): { mac: string; events: DoctorEvent[] } {
  return JSON.parse(readFileSync(new URL(`../../test/vectors/timelines/${name}.json`, import.meta.url), 'utf8')) as { mac: string; events: DoctorEvent[] };
}
const later = (events: readonly DoctorEvent[]): number => Date.parse(events[events.length - 1]!.time) + 120_000;
/** The timeline cut just after the first event that matches. */
function upTo(events: readonly DoctorEvent[], pred: (e: DoctorEvent) => boolean): DoctorEvent[] {
  const i = events.findIndex(pred);
  assert.ok(i >= 0, 'the cut point exists in the captured timeline');
  return events.slice(0, i + 1);
}

test('real boots that reached the kernel read as OK, for BIOS iPXE ROM, UEFI PXE and UEFI HTTP', () => {
  for (const name of ['bios-ok', 'uefi-ok', 'uefi-http-ok']) {
    const { mac, events } = captured(name);
    const d = diagnose(mac, events, later(events));
    assert.equal(d.ok, true, `${name}: ${d.summary}`);
    assert.equal(d.stage, 'kernel', name);
    assert.equal(d.hint, null);
    assert.match(d.summary, /fetched \/vmlinuz, \/initrd\.img/);
  }
});

test('UEFI PXE: the attempt starts at the firmware DISCOVER and includes iPXE\'s own DHCP after ipxe.efi', () => {
  const { mac, events } = captured('uefi-ok');
  const d = diagnose(mac, events, later(events));
  assert.equal(d.steps[0]!.kind, 'dhcp.discover');
  assert.match(d.steps[0]!.says, /uefi-pxe, arch 7/);
  assert.ok(d.steps.some((s) => /iPXE has address/.test(s.says)));
});

test('a real boot that stopped at a missing kernel names the path and the 404', () => {
  const { mac, events } = captured('bios-kernel-404');
  const d = diagnose(mac, events, later(events));
  assert.equal(d.ok, false);
  assert.equal(d.stage, 'script');
  assert.match(d.summary, /HTTP \/vmlinuz-typo answered 404/);
  assert.match(d.hint!, /http\.root/);
  assert.equal(d.steps.at(-1)!.ok, false);
});

test('cut short at each link of a real UEFI boot, the doctor names that link', () => {
  const { mac, events } = captured('uefi-ok');
  const at = (pred: (e: DoctorEvent) => boolean): ReturnType<typeof diagnose> => {
    const cut = upTo(events, pred);
    return diagnose(mac, cut, later(cut));
  };
  const offered = at((e) => e.kind === 'dhcp.offer');
  assert.equal(offered.stage, 'dhcp');
  assert.match(offered.summary, /offered 198\.18\.0\.\d+ but the client never asked for it/);

  const acked = at((e) => e.kind === 'dhcp.ack');
  assert.equal(acked.stage, 'address');
  assert.match(acked.summary, /got address .* and boot plan chainload-tftp, but never asked bootfleet for the file/);
  assert.match(acked.hint!, /TFTP/);

  const loader = at((e) => e.kind === 'tftp.done');
  assert.equal(loader.stage, 'boot-file');
  assert.match(loader.summary, /fetched ipxe\.efi but iPXE never asked for an address/);

  const ipxe = at((e) => e.kind === 'dhcp.ack' && e.data?.boot === 'ipxe-script');
  assert.equal(ipxe.stage, 'ipxe');
  assert.match(ipxe.summary, /never asked for its boot script/);

  const script = at((e) => e.kind === 'http.request' && e.data?.path === '/boot.ipxe');
  assert.equal(script.stage, 'script');
  assert.match(script.summary, /got its script \(profile beta/);
});

test('recent silence is reported as possibly still booting', () => {
  const { mac, events } = captured('uefi-ok');
  const cut = upTo(events, (e) => e.kind === 'tftp.done');
  const d = diagnose(mac, cut, Date.parse(cut.at(-1)!.time) + 5_000);
  assert.match(d.summary, /last heard 5s ago: it may still be booting/);
});

test('only the last attempt counts: a failed boot after a good one is a failure, and the reverse', () => {
  const ok = captured('bios-ok');
  const bad = captured('bios-kernel-404');
  const asOk = (events: DoctorEvent[]): DoctorEvent[] => events.map((e) => ({ ...e, mac: ok.mac }));
  const okThenBad = [...ok.events, ...asOk(bad.events)];
  assert.equal(diagnose(ok.mac, okThenBad, later(okThenBad)).ok, false);
  const badThenOk = [...asOk(bad.events), ...ok.events];
  const d = diagnose(ok.mac, badThenOk, later(badThenOk));
  assert.equal(d.ok, true, d.summary);
  assert.ok(!d.steps.some((s) => /vmlinuz-typo/.test(s.says)), 'the earlier attempt is not in the steps');
});

test('a machine never heard from', () => {
  const d = diagnose('52:54:00:00:00:99', []);
  assert.equal(d.stage, 'unseen');
  assert.equal(d.ok, false);
  assert.match(d.hint!, /relay/);
});

const ev = (kind: string, msg: string, data: Record<string, unknown> = {}, level = 'info'): DoctorEvent => ({ time: '2026-11-24T10:00:00.000Z', kind, level, mac: '52:54:00:00:00:01', msg, data });

test('DHCP failures: pool full, another server, NAK, a drop code, chosen silence', () => {
  const disc = ev('dhcp.discover', 'DISCOVER', { firmware: 'bios-pxe', arch: 0, iface: 'bf0' });
  const now = Date.parse('2026-11-24T11:00:00Z');
  assert.match(diagnose('m', [disc, ev('dhcp.exhausted', 'no free address in 198.18.0.0/24', {}, 'warn')], now).hint!, /pool is full/);
  const other = diagnose('m', [disc, ev('dhcp.offer', 'OFFER 198.18.0.100', { ip: '198.18.0.100', boot: 'chainload-tftp' }), ev('dhcp.request', 'REQUEST for server 198.18.0.9: not us', { server: '198.18.0.9' })], now);
  assert.match(other.summary, /another DHCP server \(198\.18\.0\.9\)/);
  assert.match(diagnose('m', [disc, ev('dhcp.nak', 'NAK: 10.0.0.5 is not in 198.18.0.0/24', { reason: 'x' })], now).summary, /refused: NAK/);
  assert.match(diagnose('m', [disc, ev('dhcp.drop', 'no subnet for relay', { code: 'DHCP_NO_SUBNET' }, 'warn')], now).hint!, /no configured subnet covers/);
  assert.match(diagnose('m', [disc, ev('dhcp.silent', 'no proxy reply: not a PXE client', {}, 'debug')], now).summary, /chose not to answer/);
});

test('TFTP failures: file not found, and a transfer whose ACKs stopped', () => {
  const now = Date.parse('2026-11-24T11:00:00Z');
  const base = [ev('dhcp.discover', 'DISCOVER', { firmware: 'bios-pxe', arch: 0 }), ev('dhcp.ack', 'ACK 198.18.0.100', { ip: '198.18.0.100', boot: 'chainload-tftp' })];
  const missing = diagnose('m', [...base, ev('tftp.request', 'TFTP read request', { file: 'undionly.kpxe' }), ev('tftp.error', 'TFTP request refused: File not found', { file: 'undionly.kpxe', code: 1, reason: 'not-found' })], now);
  assert.equal(missing.stage, 'address');
  assert.match(missing.summary, /TFTP of undionly\.kpxe failed/);
  assert.match(missing.hint!, /not under the TFTP root/);
  const stalled = diagnose('m', [...base, ev('tftp.error', 'TFTP transfer failed: no ACK after 5 retransmissions', { file: 'undionly.kpxe', reason: 'timeout' }, 'warn')], now);
  assert.match(stalled.hint!, /maxBlksize/);
});

test('any sequence of events, however odd, gives a diagnosis and never throws', () => {
  const kinds = ['dhcp.discover', 'dhcp.offer', 'dhcp.request', 'dhcp.ack', 'dhcp.nak', 'dhcp.drop', 'dhcp.silent', 'dhcp.proxy-offer', 'dhcp.proxy-ack', 'tftp.request', 'tftp.done', 'tftp.error', 'http.script', 'http.request', 'fleet.installed', 'x.y'];
  const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('ipxe', 'bios-pxe', '/vmlinuz', 'ipxe.efi', '/boot.ipxe'));
  const event = fc.record({
    time: fc.integer({ min: 0, max: 2e12 }).map((t) => new Date(t).toISOString()),
    kind: fc.constantFrom(...kinds),
    level: fc.constantFrom('debug', 'info', 'warn', 'error'),
    msg: fc.string(),
    data: fc.dictionary(fc.constantFrom('ip', 'boot', 'firmware', 'file', 'path', 'status', 'code', 'server', 'bytes', 'aborted', 'profile', 'kind'), value),
  });
  fc.assert(
    fc.property(fc.array(event, { maxLength: 30 }), (events) => {
      const d = diagnose('52:54:00:00:00:01', events, 2e12);
      assert.ok(['unseen', 'dhcp', 'address', 'boot-file', 'ipxe', 'script', 'kernel', 'installed'].includes(d.stage));
      assert.equal(typeof d.summary, 'string');
      assert.equal(d.ok ? d.hint === null : d.hint !== null, true);
    }),
    { numRuns: 500 },
  );
});
