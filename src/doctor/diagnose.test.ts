import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { diagnose, type DoctorEvent } from './diagnose.js';

/** Timelines captured from real VM boots (src/e2e/*.test.ts with BOOTFLEET_SAVE_TIMELINES). */
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

test('real boots that reached the kernel read as OK: full and proxy mode, BIOS iPXE ROM, UEFI PXE and HTTP, PXELINUX, a chained script, the boot after an install, a dnsmasq tutorial (pxe-prompt, static script)', () => {
  for (const name of ['bios-ok', 'uefi-ok', 'uefi-http-ok', 'proxy-bios-ok', 'proxy-uefi-ok', 'pxelinux-ok', 'chain-ok', 'after-install-ok', 'dnsmasq-bios-ok', 'dnsmasq-uefi-ok']) {
    const { mac, events } = captured(name);
    const d = diagnose(mac, events, later(events));
    assert.equal(d.ok, true, `${name}: ${d.summary}`);
    assert.equal(d.stage, 'kernel', name);
    assert.equal(d.hint, null);
    assert.match(d.summary, /fetched \/?vmlinuz, \/?initrd\.img/, name);
  }
});

test('a real install: the installer\'s own DHCP is the booted system\'s, and its callback ends the attempt as installed', () => {
  const { mac, events } = captured('install-callback');
  const d = diagnose(mac, events, later(events));
  assert.equal(d.stage, 'installed');
  assert.equal(d.ok, true);
  assert.ok(d.steps.some((s) => s.kind === 'dhcp.discover' && /booted system/.test(s.says)));
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
  assert.match(acked.summary, /got address .* and boot plan chainload-tftp, but it never asked bootfleet for the file/);
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

test('cut short at each link of a real dnsmasq-mode UEFI boot (proxy, pxe-prompt, port 4011, a static script), the doctor names that link', () => {
  // src/e2e/boot-dnsmasq.test.ts: dnsmasq's tutorial flags; the LAN's router gave the address.
  const { mac, events } = captured('dnsmasq-uefi-ok');
  const at = (pred: (e: DoctorEvent) => boolean): ReturnType<typeof diagnose> => {
    const cut = upTo(events, pred);
    return diagnose(mac, cut, later(cut));
  };
  const full = diagnose(mac, events, later(events));
  assert.equal(full.steps[0]!.kind, 'dhcp.proxy-offer', 'the attempt starts at the firmware\'s proxy offer');
  assert.ok(full.steps.some((s) => s.kind === 'dhcp.proxy-ack' && /4011, file ipxe\.efi/.test(s.says)), 'the port-4011 request is a step');
  assert.ok(full.steps.filter((s) => s.kind === 'dhcp.silent').every((s) => s.ok), 'silence toward the LAN\'s server is routine');

  const offered = at((e) => e.kind === 'dhcp.proxy-offer');
  assert.equal(offered.stage, 'dhcp');
  assert.match(offered.summary, /proxy reply named ipxe\.efi, but it never asked bootfleet for the file/);
  assert.match(offered.hint!, /LAN's DHCP server/);
  assert.doesNotMatch(offered.summary, /got address/, 'the address is not bootfleet\'s to see');

  const port4011 = at((e) => e.kind === 'dhcp.proxy-ack');
  assert.match(port4011.summary, /proxy reply named ipxe\.efi, but it never asked/);

  const asked = at((e) => e.kind === 'tftp.request');
  assert.equal(asked.ok, false);
  assert.match(asked.summary, /asked for ipxe\.efi over TFTP, but the transfer never completed/);
  assert.match(asked.hint!, /transfer ports/);
  assert.match(at((e) => e.kind === 'tftp.abort').summary, /transfer never completed/, 'EDK2 ending its size probe is not a fetch');

  const loader = at((e) => e.kind === 'tftp.done');
  assert.equal(loader.stage, 'boot-file');
  assert.match(loader.summary, /fetched ipxe\.efi but iPXE never asked for an address/);

  const ipxe = at((e) => e.kind === 'dhcp.proxy-offer' && e.data?.firmware === 'ipxe');
  assert.equal(ipxe.stage, 'ipxe');
  assert.match(ipxe.summary, /iPXE has an address but never asked for its boot script/);

  // A static script (no http.script event: bootfleet did not render it) is still the script link.
  const script = at((e) => e.kind === 'http.request' && e.data?.path === '/menu.ipxe');
  assert.equal(script.stage, 'script');
  assert.match(script.summary, /iPXE fetched its script \/menu\.ipxe but fetched nothing after it/);

  const kernel = at((e) => e.kind === 'http.request' && e.data?.path === '/vmlinuz');
  assert.equal(kernel.ok, true);
  assert.equal(kernel.stage, 'kernel');
});

test('cut short at each link of a real dnsmasq-mode BIOS boot (iPXE ROM: option 175 → static script)', () => {
  const { mac, events } = captured('dnsmasq-bios-ok');
  const at = (pred: (e: DoctorEvent) => boolean): ReturnType<typeof diagnose> => {
    const cut = upTo(events, pred);
    return diagnose(mac, cut, later(cut));
  };
  const offered = at((e) => e.kind === 'dhcp.proxy-offer');
  assert.equal(offered.stage, 'ipxe', 'an iPXE ROM\'s own DHCP is iPXE\'s');
  assert.match(offered.summary, /iPXE has an address but never asked for its boot script/);
  const script = at((e) => e.kind === 'http.request' && e.data?.path === '/menu.ipxe');
  assert.match(script.summary, /iPXE fetched its script \/menu\.ipxe but fetched nothing after it/);
  assert.equal(at((e) => e.kind === 'http.request' && e.data?.path === '/vmlinuz').ok, true);
});

test('PXELINUX over TFTP, cut while a transfer runs: that transfer is named, not the config before it', () => {
  const { mac, events } = captured('pxelinux-ok');
  const cut = upTo(events, (e) => e.kind === 'tftp.request' && e.data?.file === 'vmlinuz');
  const d = diagnose(mac, cut, later(cut));
  assert.match(d.summary, /asked for vmlinuz over TFTP, but the transfer never completed/);
  const refused = [...cut, { ...cut.at(-1)!, kind: 'tftp.error', level: 'warn', msg: 'TFTP request refused: File not found', data: { file: 'vmlinuz', code: 1, reason: 'not-found' } }];
  assert.match(diagnose(mac, refused, later(refused)).summary, /TFTP of vmlinuz failed/, 'a refusal ends the transfer: the refusal is the verdict');
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

/** Shifts a captured timeline in time so it can follow another one. */
function after(first: readonly DoctorEvent[], next: readonly DoctorEvent[], mac: string): DoctorEvent[] {
  const base = Date.parse(first[first.length - 1]!.time) + 60_000 - Date.parse(next[0]!.time);
  return [...first, ...next.map((e) => ({ ...e, mac, time: new Date(Date.parse(e.time) + base).toISOString() }))];
}

test('the booted system\'s own DHCP (an OS client) after the payload does not start a new attempt', () => {
  const { mac, events } = captured('uefi-ok');
  const t = Date.parse(events.at(-1)!.time);
  const os = (n: number, kind: string, msg: string, data: Record<string, unknown>): DoctorEvent => ({ time: new Date(t + 5000 + n).toISOString(), kind, level: 'info', mac, msg, data });
  const withOs = [
    ...events,
    os(1, 'dhcp.discover', 'DISCOVER', { firmware: 'os', arch: null, iface: 'bf0' }),
    os(2, 'dhcp.offer', 'OFFER 198.18.0.101', { ip: '198.18.0.101', boot: 'no-boot' }),
    os(3, 'dhcp.request', 'REQUEST 198.18.0.101 (selecting)', { ip: '198.18.0.101', state: 'selecting', firmware: 'os' }),
    os(4, 'dhcp.ack', 'ACK 198.18.0.101 for 3600s', { ip: '198.18.0.101', boot: 'no-boot' }),
  ];
  const d = diagnose(mac, withOs, t + 120_000);
  assert.equal(d.ok, true, d.summary);
  assert.equal(d.stage, 'kernel');
  assert.match(d.summary, /the booted system then asked DHCP for its own address/);
  // Only an OS client ever heard from: read as it is.
  assert.match(diagnose(mac, withOs.slice(events.length), t + 120_000).summary, /got address 198\.18\.0\.101 but no boot file/);
});

test('an iPXE-ROM reboot after a boot that chained a script and hit a 404 starts afresh', () => {
  const ok = captured('bios-ok');
  const t = Date.parse(ok.events.at(-1)!.time);
  const extra = (n: number, path: string, status: number): DoctorEvent => ({ time: new Date(t + n).toISOString(), kind: 'http.request', level: status < 400 ? 'info' : 'warn', mac: ok.mac, msg: `GET ${path} ${status}`, data: { path, status } });
  const first = [...ok.events, extra(1, '/menus/tools.ipxe', 200), extra(2, '/tools/memtest', 404)];
  const d = diagnose(ok.mac, after(first, ok.events, ok.mac), t + 600_000);
  assert.equal(d.ok, true, d.summary);
  assert.ok(!d.steps.some((s) => /memtest/.test(s.says)));
});

test('an optional file missing after the payload is a warning step, not the verdict', () => {
  const { mac, events } = captured('bios-ok');
  const t = Date.parse(events.at(-1)!.time);
  const cloud: DoctorEvent = { time: new Date(t + 1).toISOString(), kind: 'http.request', level: 'warn', mac, msg: 'GET /cloud-init/x/network-config 404', data: { path: '/cloud-init/x/network-config', status: 404 } };
  const d = diagnose(mac, [...events, cloud], t + 120_000);
  assert.equal(d.ok, true, d.summary);
  assert.equal(d.steps.at(-1)!.ok, false, 'the 404 is still shown as a failed step');
});

const pev = (n: number, kind: string, msg: string, data: Record<string, unknown>, level = 'info'): DoctorEvent => ({ time: new Date(Date.parse('2026-11-24T10:00:00Z') + n * 1000).toISOString(), kind, level, mac: '52:54:00:00:00:07', msg, data });
const NOW = Date.parse('2026-11-24T11:00:00Z');

test('proxy mode: repeated proxy offers and nothing else say what bootfleet cannot see, and never claim an address', () => {
  const offer = (n: number): DoctorEvent => pev(n, 'dhcp.proxy-offer', 'proxy OFFER (chainload-tftp) to 255.255.255.255:68', { boot: 'chainload-tftp', file: 'undionly.kpxe', firmware: 'bios-pxe', arch: 0 });
  const d = diagnose('m', [offer(0), offer(4), offer(12)], NOW);
  assert.equal(d.ok, false);
  assert.match(d.summary, /proxy reply named undionly\.kpxe, but it never asked|proxy offer, but the machine never came back/);
  assert.doesNotMatch(d.summary, /got address/);
  assert.match(d.hint!, /LAN's DHCP server|TFTP/);
});

test('proxy mode with an iPXE ROM: each boot is its own attempt, and iPXE\'s DHCP counts as iPXE', () => {
  const boot = (t: number, kernel: string, status: number): DoctorEvent[] => [
    pev(t, 'dhcp.proxy-offer', 'proxy OFFER (ipxe-script)', { boot: 'ipxe-script', file: 'http://198.18.0.2:8080/boot.ipxe', firmware: 'ipxe', arch: 0 }),
    pev(t + 1, 'dhcp.silent', "no proxy reply: REQUEST on port 67 is for the LAN's DHCP server", {}, 'debug'),
    pev(t + 2, 'http.script', 'boot script for profile a', { profile: 'a', kind: 'linux' }),
    pev(t + 3, 'http.request', 'GET /boot.ipxe 200', { path: '/boot.ipxe', status: 200 }),
    pev(t + 4, 'http.request', `GET ${kernel} ${status}`, { path: kernel, status }),
  ];
  const badThenGood = [...boot(0, '/typo', 404), ...boot(100, '/vmlinuz', 200)];
  assert.equal(diagnose('m', badThenGood, NOW).ok, true);
  const goodThenBad = [...boot(0, '/vmlinuz', 200), ...boot(100, '/typo', 404)];
  const d = diagnose('m', goodThenBad, NOW);
  assert.equal(d.ok, false);
  assert.match(d.summary, /\/typo answered 404/);
  assert.ok(d.steps.every((s) => s.kind !== 'dhcp.silent' || s.ok), 'routine proxy silence is not a failed step');
  // UEFI in proxy mode: firmware offer, ipxe.efi, then iPXE's own proxy exchange and nothing more.
  const uefi = [
    pev(0, 'dhcp.proxy-offer', 'proxy OFFER (chainload-tftp)', { boot: 'chainload-tftp', file: 'ipxe.efi', firmware: 'uefi-pxe', arch: 7 }),
    pev(1, 'dhcp.proxy-ack', 'proxy ACK (chainload-tftp)', { boot: 'chainload-tftp', file: 'ipxe.efi', firmware: 'uefi-pxe', arch: 7, clientIp: '198.18.0.50' }),
    pev(2, 'tftp.done', 'TFTP transfer complete', { file: 'ipxe.efi', bytes: 1, ms: 1 }),
    pev(3, 'dhcp.proxy-offer', 'proxy OFFER (ipxe-script)', { boot: 'ipxe-script', firmware: 'ipxe', arch: 7 }),
  ];
  const u = diagnose('m', uefi, NOW);
  assert.equal(u.stage, 'ipxe');
  assert.match(u.summary, /iPXE has an address but never asked for its boot script/);
  assert.equal(u.steps[0]!.kind, 'dhcp.proxy-offer', 'the attempt starts at the firmware');
});

test('proxy PXE menus: local boot chosen is done; a chosen item\'s file replaces the menu plan', () => {
  const menu = pev(0, 'dhcp.proxy-offer', 'proxy OFFER (pxe-menu)', { boot: 'pxe-menu', file: null, firmware: 'bios-pxe', arch: 0 });
  const local = pev(5, 'dhcp.silent', 'no proxy reply: boot item 0 ("Local disk") is local boot', {}, 'debug');
  assert.equal(diagnose('m', [menu, local], NOW).ok, true);
  assert.match(diagnose('m', [menu], NOW).summary, /offered its PXE menu, but no item came back/);
  const chosen = pev(5, 'dhcp.proxy-ack', 'proxy ACK (chainload-tftp)', { boot: 'chainload-tftp', file: 'memtest.0', firmware: 'bios-pxe', arch: 0, clientIp: '198.18.0.9' });
  assert.match(diagnose('m', [menu, chosen], NOW).summary, /proxy reply named memtest\.0/);
});

test('PXELINUX over TFTP: a config with no kernel loaded, and ldlinux.e64 as a part of PXELINUX, not a payload', () => {
  const start = [
    pev(0, 'dhcp.discover', 'DISCOVER', { firmware: 'bios-pxe', arch: 0 }),
    pev(1, 'dhcp.ack', 'ACK 198.18.0.9', { ip: '198.18.0.9', boot: 'chainload-tftp' }),
    pev(2, 'tftp.done', 'TFTP transfer complete', { file: 'pxelinux.0', bytes: 1, ms: 1 }),
    pev(3, 'tftp.done', 'TFTP transfer complete', { file: 'ldlinux.c32', bytes: 1, ms: 1 }),
  ];
  assert.match(diagnose('m', start, NOW).summary, /PXELINUX started \(fetched pxelinux\.0\) but found no config/);
  const config = [...start, pev(4, 'tftp.pxelinux', 'PXELINUX config pxelinux.cfg/01-x for profile menu', { file: 'pxelinux.cfg/01-x', profile: 'menu' }), pev(5, 'tftp.done', 'TFTP transfer complete', { file: 'menu.c32', bytes: 1, ms: 1 })];
  const d = diagnose('m', config, NOW);
  assert.equal(d.stage, 'script');
  assert.match(d.summary, /PXELINUX got its config \(profile menu\) but loaded no kernel/);
  const efi = [pev(0, 'dhcp.discover', 'DISCOVER', { firmware: 'uefi-pxe', arch: 7 }), pev(1, 'dhcp.ack', 'ACK', { ip: '198.18.0.9', boot: 'chainload-tftp' }), pev(2, 'tftp.done', 'done', { file: 'syslinux.efi' }), pev(3, 'tftp.done', 'done', { file: 'ldlinux.e64' })];
  assert.equal(diagnose('m', efi, NOW).ok, false, 'ldlinux.e64 is not a kernel');
});

test('TFTP reads in parallel: one ending does not hide another that never did', () => {
  const start = [
    pev(0, 'dhcp.discover', 'DISCOVER', { firmware: 'bios-pxe', arch: 0 }),
    pev(1, 'dhcp.ack', 'ACK 198.18.0.9', { ip: '198.18.0.9', boot: 'chainload-tftp' }),
    pev(2, 'tftp.done', 'TFTP transfer complete', { file: 'pxelinux.0', bytes: 1, ms: 1 }),
    pev(3, 'tftp.pxelinux', 'PXELINUX config pxelinux.cfg/01-x for profile menu', { file: 'pxelinux.cfg/01-x', profile: 'menu' }),
    pev(4, 'tftp.request', 'RRQ', { file: 'vmlinuz' }),
    pev(5, 'tftp.request', 'RRQ', { file: 'menu.c32' }),
    pev(6, 'tftp.done', 'TFTP transfer complete', { file: 'menu.c32', bytes: 1, ms: 1 }),
  ];
  assert.match(diagnose('m', start, NOW).summary, /asked for vmlinuz over TFTP, but the transfer never completed/);
  const both = [...start, pev(7, 'tftp.done', 'TFTP transfer complete', { file: 'vmlinuz', bytes: 1, ms: 1 })];
  assert.equal(diagnose('m', both, NOW).ok, true);
});
