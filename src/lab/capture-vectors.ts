/**
 * Captures real DHCP and TFTP packets from real clients as test vectors.
 *
 * Inside a fresh lab, dnsmasq (reference DHCP + TFTP server) serves:
 *   (a) a BIOS VM: SeaBIOS + QEMU's iPXE NIC ROM → boot.ipxe → kernel + initrd over TFTP;
 *   (b) a UEFI VM: OVMF's own PXE client (arch 7) → ipxe.efi over TFTP,
 *   (c) … which DHCPs again as iPXE → boot.ipxe → kernel + initrd;
 *   (d) busybox udhcpc in a client namespace (an OS client).
 * tcpdump records the server's veth; the UDP payloads are cut out of the pcap into
 * test/vectors/dhcp/*.bin and test/vectors/tftp/*.bin, with READMEs saying what each is.
 * Both VMs boot the lab initramfs to its marker, which also measures boot times.
 *
 * Run as root: `scripts/capture-vectors.sh` (builds, then `node dist/lab/capture-vectors.js`).
 * Flags: `--ra` answers iPXE's IPv6 router solicitations (dnsmasq ra-only) to measure the
 * difference; `--no-write` measures without touching test/vectors; `--keep` keeps the work dir.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { destroyAll } from './netns.js';
import { addClientNs, bootLab, LAB_NET } from './topology.js';
import { startVm, type Firmware, type Vm } from './qemu.js';
import { startDnsmasq } from './dnsmasq.js';
import { startCapture } from './tcpdump.js';
import { readPcap, type UdpRecord } from './pcap.js';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { getClientArch, getMessageType, getString, getUserClasses, macOf } from '../wire/dhcp/options.js';
import { MessageType, type DhcpPacket } from '../wire/dhcp/packet.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const ASSETS = join(REPO, '.lab/assets');
const DHCP_DIR = join(REPO, 'test/vectors/dhcp');
const TFTP_DIR = join(REPO, 'test/vectors/tftp');

const BIOS_MAC = '52:54:00:bf:00:01';
const UEFI_MAC = '52:54:00:bf:00:02';
const UDHCPC_MAC = '52:54:00:bf:00:10';
const BIOS_UUID = 'bf000000-0000-4000-8000-000000000001';
const UEFI_UUID = 'bf000000-0000-4000-8000-000000000002';
const BOOT_TIMEOUT_MS = 180_000;
const HTTP_PORT = 8080;

/** How long each milestone took after QEMU started. */
interface BootTiming {
  firmware: Firmware;
  milestones: Record<string, number>;
  cmdline: string;
  callback: string;
}

async function bootToMarker(vm: Vm, firmware: Firmware): Promise<BootTiming> {
  const milestones: Record<string, number> = {};
  const mark = async (label: string, pattern: RegExp): Promise<RegExpMatchArray> => {
    const m = await vm.waitFor(pattern, BOOT_TIMEOUT_MS);
    milestones[label] = Date.now() - vm.startedAt;
    return m;
  };
  if (firmware === 'bios') await mark('ipxe-rom-start', /iPXE initialising devices/);
  else await mark('edk2-pxe-start', /Start PXE over IPv4/);
  if (firmware === 'uefi') await mark('ipxe-efi-start', /iPXE initialising devices/);
  await mark('ipxe-configured', /Configuring \(net0[^\n]*ok/);
  await mark('marker', /BOOTFLEET-MARKER/);
  const cmd = await mark('cmdline', /CMDLINE: (.*)/);
  const cb = await mark('callback', /CALLBACK(?:-ERROR)?: (.*)/);
  const code = await vm.exited;
  milestones['poweroff'] = Date.now() - vm.startedAt;
  if (code !== 0) throw new Error(`${vm.name}: QEMU exit ${String(code)}`);
  return { firmware, milestones, cmdline: cmd[1] ?? '', callback: cb[0] };
}

function pkgVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

/** Who sent a packet, from its Ethernet source and what it says about itself. */
function clientOf(mac: string, dhcp: DhcpPacket | null): string | null {
  const isIpxe = dhcp?.options.has(175) ?? false;
  const vendor = dhcp ? getString(dhcp.options, 60) ?? '' : '';
  if (mac === UDHCPC_MAC) return 'udhcpc';
  if (mac === BIOS_MAC || mac === UEFI_MAC) {
    // The lab kernel's own udhcpc (for bf.callback) uses the VM's MAC too.
    if (dhcp && !isIpxe && !vendor.startsWith('PXEClient')) return 'guest-udhcpc';
    if (mac === BIOS_MAC) return 'bios-ipxe';
    return isIpxe ? 'ipxe-efi' : 'ovmf-pxe';
  }
  return null;
}

interface Vector {
  dir: 'dhcp' | 'tftp';
  file: string;
  client: string;
  what: string;
  bytes: Uint8Array;
  summary: string;
}

function dhcpSummary(p: DhcpPacket): string {
  const parts: string[] = [];
  const arch = getClientArch(p.options);
  if (arch !== null) parts.push(`opt93=${arch}`);
  const vc = getString(p.options, 60);
  if (vc) parts.push(`opt60="${vc}"`);
  const uc = getUserClasses(p.options).join(',');
  if (uc) parts.push(`opt77="${uc}"`);
  if (p.options.has(175)) parts.push('opt175');
  parts.push(`broadcast=${(p.flags & 0x8000) !== 0 ? 1 : 0}`);
  if (p.op === 2) {
    parts.push(`yiaddr=${p.yiaddr}`, `siaddr=${p.siaddr}`);
    if (p.file) parts.push(`file="${p.file}"`);
  }
  parts.push(`options=[${[...p.options.keys()].join(',')}]`);
  return parts.join(' ');
}

function tftpSummary(b: Uint8Array): string {
  const op = (b[0] ?? 0) * 256 + (b[1] ?? 0);
  const fields = Buffer.from(b.subarray(2)).toString('latin1').split('\0');
  if (op === 5) return `ERROR code=${(b[2] ?? 0) * 256 + (b[3] ?? 0)} "${Buffer.from(b.subarray(4)).toString('latin1').replace(/\0.*$/s, '')}"`;
  const name = op === 1 ? 'RRQ' : op === 6 ? 'OACK' : `op ${op}`;
  return `${name} ${fields.filter((f, i) => f !== '' || i < fields.length - 1).join(' ')}`.trim();
}

/** Sorts the capture into vectors: first of each (client, message) for DHCP; RRQs, OACKs, ERRORs for TFTP. */
function extractVectors(udp: UdpRecord[]): Vector[] {
  const out: Vector[] = [];
  const seen = new Set<string>();
  const clientByXid = new Map<string, string>();
  const identityByMac = new Map<string, string>();
  const rrqCount = new Map<string, number>();
  for (const r of udp) {
    const isDhcp = [67, 68, 4011].includes(r.dstPort) && [67, 68, 4011].includes(r.srcPort);
    if (isDhcp) {
      const decoded = decodeDhcp(r.payload);
      if (!decoded.ok) continue;
      const p = decoded.packet;
      const msgType = getMessageType(p);
      if (msgType === null) continue;
      const type = (MessageType[msgType] ?? `type${msgType}`).toLowerCase();
      if (p.op === 1) {
        const client = clientOf(r.ethSrc, p);
        if (!client) continue;
        identityByMac.set(r.ethSrc, client);
        clientByXid.set(`${macOf(p)}/${p.xid}`, client);
        if (client === 'guest-udhcpc') continue;
        const file = `${client}-${type}.bin`;
        if (seen.has(file)) continue;
        seen.add(file);
        out.push({ dir: 'dhcp', file, client, what: `${type.toUpperCase()} from ${client}`, bytes: r.payload, summary: dhcpSummary(p) });
      } else {
        const client = clientByXid.get(`${macOf(p)}/${p.xid}`);
        if (!client || client === 'guest-udhcpc') continue;
        const file = `dnsmasq-${type}-${client}.bin`;
        if (seen.has(file)) continue;
        seen.add(file);
        out.push({ dir: 'dhcp', file, client, what: `dnsmasq's ${type.toUpperCase()} to ${client}`, bytes: r.payload, summary: dhcpSummary(p) });
      }
      continue;
    }
    const op = (r.payload[0] ?? 0) * 256 + (r.payload[1] ?? 0);
    if (r.dstPort === 69 && op === 1) {
      const client = identityByMac.get(r.ethSrc);
      if (!client) continue;
      const n = (rrqCount.get(client) ?? 0) + 1;
      rrqCount.set(client, n);
      const file = n === 1 ? `${client}-rrq.bin` : `${client}-rrq-${n}.bin`;
      out.push({ dir: 'tftp', file, client, what: `RRQ #${n} from ${client}`, bytes: r.payload, summary: tftpSummary(r.payload) });
    } else if (op === 5 && r.dstIp === LAB_NET.serverAddr) {
      const client = identityByMac.get(r.ethSrc);
      const file = `${client}-error.bin`;
      if (!client || seen.has(file)) continue;
      seen.add(file);
      out.push({ dir: 'tftp', file, client, what: `ERROR from ${client} during a transfer`, bytes: r.payload, summary: tftpSummary(r.payload) });
    } else if (op === 6 && r.srcIp === LAB_NET.serverAddr) {
      const client = identityByMac.get(r.ethDst);
      const file = `dnsmasq-oack-${client}.bin`;
      if (!client || seen.has(file)) continue;
      seen.add(file);
      out.push({ dir: 'tftp', file, client, what: `dnsmasq's OACK to ${client}'s first RRQ with options`, bytes: r.payload, summary: tftpSummary(r.payload) });
    }
  }
  return out;
}

const CLIENT_DESCRIPTIONS: Record<string, string> = {
  'bios-ipxe': `QEMU ${'virtio-net-pci'} NIC ROM (iPXE, from ipxe-qemu) under SeaBIOS; MAC ${BIOS_MAC}, -uuid ${BIOS_UUID}`,
  'ovmf-pxe': `OVMF/EDK2 PxeBcDxe (virtio-net-pci,romfile= so no iPXE ROM); MAC ${UEFI_MAC}, -uuid ${UEFI_UUID}`,
  'ipxe-efi': `ipxe.efi (Debian package ipxe) chained by OVMF over TFTP, DHCPing again; same VM as ovmf-pxe`,
  udhcpc: `busybox udhcpc (\`udhcpc -i eth0 -q -n -f\`) in a client namespace; MAC ${UDHCPC_MAC}`,
};

function readme(kind: 'dhcp' | 'tftp', vectors: Vector[], versions: Record<string, string>, date: string, timings: BootTiming[], ra: boolean): string {
  const list = vectors
    .filter((v) => v.dir === kind)
    .map((v) => `| \`${v.file}\` | ${v.what} | ${v.bytes.length} | ${v.summary.replace(/\|/g, '\\|')} |`)
    .join('\n');
  const clients = Object.entries(CLIENT_DESCRIPTIONS).map(([k, d]) => `- \`${k}\`: ${d}`).join('\n');
  const vers = Object.entries(versions).map(([k, v]) => `- ${k} ${v}`).join('\n');
  const times = timings
    .map((t) => `- ${t.firmware}: ${Object.entries(t.milestones).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')}`)
    .join('\n');
  const what =
    kind === 'dhcp'
      ? 'Each `.bin` is one DHCP message exactly as it crossed the wire: the UDP payload (BOOTP header, magic cookie, options), nothing around it. `<client>-<type>.bin` is the first message of that type the client sent; `dnsmasq-<type>-<client>.bin` is dnsmasq\'s reply to it (a reference reply from a known-good server, not a spec).'
      : 'Each `.bin` is one TFTP packet\'s UDP payload. `<client>-rrq.bin` is the first read request a client sent, `<client>-rrq-2.bin`, `-3` … the following ones in order; `<client>-error.bin` is the first ERROR a client sent mid-transfer; `dnsmasq-oack-<client>.bin` is dnsmasq\'s first OACK to that client.';
  return `# Captured ${kind.toUpperCase()} vectors (real clients)

Written by \`scripts/capture-vectors.sh\` (src/lab/capture-vectors.ts) on ${date}. Do not edit by hand:
regenerate instead.

${what}

## Clients
${clients}

Server: dnsmasq in full DHCP mode on 198.18.0.2/24 (\`--dhcp-range=${LAB_NET.poolStart},${LAB_NET.poolEnd}\`,
\`--dhcp-match=set:ipxe,175\`, \`--dhcp-match=set:efi64,option:client-arch,7\`; boot files \`undionly.kpxe\` (BIOS,
unused because QEMU's ROM is already iPXE), \`ipxe.efi\` (arch 7 without 175), \`boot.ipxe\` (iPXE), \`--no-ping\`${ra ? ', `--enable-ra` (IPv6 ra-only)' : ''}).
\`boot.ipxe\` loads the lab kernel and initramfs over TFTP; both VMs booted to the marker.

## Files
| file | what | bytes | key fields |
|---|---|---|---|
${list}

## Software
${vers}

Boot times during this capture (QEMU -accel tcg on this machine, from QEMU start):
${times}

## Regenerate
As root on Debian 12: \`scripts/install-deps.sh && scripts/build-lab-assets.sh && scripts/capture-vectors.sh\`.
Everything runs inside network namespaces on 198.18.0.0/24 that the script creates and deletes. The
transaction IDs (xid) are random, so files change on every capture even with identical software.
`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const ra = argv.includes('--ra');
  const write = !argv.includes('--no-write');
  const keep = argv.includes('--keep');
  if (process.getuid?.() !== 0) throw new Error('capture-vectors must run as root (it creates network namespaces)');
  const kernel = join(ASSETS, 'vmlinuz');
  const initrd = join(ASSETS, 'initrd.img');
  for (const f of [kernel, initrd]) {
    if (!existsSync(f)) throw new Error(`${f} missing: run scripts/build-lab-assets.sh`);
  }

  const work = mkdtempSync(join(tmpdir(), 'bootfleet-capture-'));
  chmodSync(work, 0o755);
  const tftpRoot = join(work, 'tftp');
  const httpRoot = join(work, 'http');
  const logDir = join(work, 'logs');
  mkdirSync(tftpRoot);
  mkdirSync(httpRoot);
  for (const f of ['undionly.kpxe', 'ipxe.efi']) copyFileSync(join('/usr/lib/ipxe', f), join(tftpRoot, f));
  copyFileSync(kernel, join(tftpRoot, 'vmlinuz'));
  copyFileSync(initrd, join(tftpRoot, 'initrd.img'));
  const srv = LAB_NET.serverAddr;
  // initrd= is needed by the kernel's EFI stub under UEFI (lab notes, pitfall 6); harmless under BIOS.
  writeFileSync(
    join(tftpRoot, 'boot.ipxe'),
    `#!ipxe\nkernel tftp://${srv}/vmlinuz initrd=initrd.img console=ttyS0 bf.profile=capture-\${buildarch} ` +
      `bf.callback=http://${srv}:${HTTP_PORT}/callback.txt\ninitrd tftp://${srv}/initrd.img\nboot\n`,
  );
  writeFileSync(join(httpRoot, 'callback.txt'), 'bootfleet-lab-callback-ok\n');

  const lab = await bootLab({ taps: 2 });
  const timings: BootTiming[] = [];
  const pcapFile = join(work, 'capture.pcap');
  try {
    const cap = await startCapture(lab.server, lab.serverIf, pcapFile, 'udp');
    const raArgs: string[] = [];
    if (ra) {
      lab.server.run('ip', ['-6', 'addr', 'add', 'fd00:bf::2/64', 'dev', lab.serverIf, 'nodad']);
      raArgs.push('--enable-ra', '--dhcp-range=fd00:bf::,ra-only');
    }
    const dns = await startDnsmasq({
      ns: lab.server,
      iface: lab.serverIf,
      logDir,
      tftpRoot,
      args: [
        `--dhcp-range=${LAB_NET.poolStart},${LAB_NET.poolEnd},255.255.255.0,1h`,
        // Skip the ≈3 s ping before each first offer (lab notes, pitfall 8): timings compare firmware, not dnsmasq.
        '--no-ping',
        '--dhcp-match=set:ipxe,175',
        '--dhcp-match=set:efi64,option:client-arch,7',
        `--dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi,,${srv}`,
        `--dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe,,${srv}`,
        `--dhcp-boot=tag:ipxe,boot.ipxe,,${srv}`,
        ...raArgs,
      ],
    });
    lab.server.spawn('busybox', ['httpd', '-f', '-p', `${srv}:${HTTP_PORT}`, '-h', httpRoot], { stdio: 'ignore' });

    for (const [firmware, mac, uuid, tapName] of [
      ['bios', BIOS_MAC, BIOS_UUID, lab.tapNames[0]],
      ['uefi', UEFI_MAC, UEFI_UUID, lab.tapNames[1]],
    ] as const) {
      if (!tapName) throw new Error('lab has too few taps');
      const vm = await startVm({ ns: lab.lan, tapName, mac, firmware, uuid, name: `capture-${firmware}`, logDir });
      try {
        const t = await bootToMarker(vm, firmware);
        timings.push(t);
        console.log(`${firmware}: ${JSON.stringify(t.milestones)}\n  CMDLINE: ${t.cmdline}\n  ${t.callback}`);
      } finally {
        await vm.stop();
      }
    }

    const client = addClientNs(lab, 'udhcpc', UDHCPC_MAC);
    const script = join(work, 'udhcpc-noop.sh');
    writeFileSync(script, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    client.run('udhcpc', ['-i', 'eth0', '-q', '-n', '-f', '-t', '3', '-T', '2', '-s', script], { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 500));
    await cap.stop();
    await dns.stop();
  } finally {
    await lab.destroy();
    await destroyAll();
  }

  const parsed = readPcap(readFileSync(pcapFile));
  if (!parsed.ok) throw new Error(`pcap: ${parsed.error} ${parsed.detail}`);
  const vectors = extractVectors(parsed.udp);
  console.log(`pcap: ${parsed.frames} frames, ${parsed.udp.length} UDP, ${vectors.length} vectors`);
  for (const v of vectors) console.log(`  ${v.dir}/${v.file} (${v.bytes.length} B) ${v.summary}`);

  if (write) {
    const versions: Record<string, string> = {};
    for (const p of ['qemu-system-x86', 'seabios', 'ipxe-qemu', 'ipxe', 'ovmf', 'dnsmasq-base', 'busybox-static', 'udhcpc']) {
      versions[p] = pkgVersion(p);
    }
    const date = new Date().toISOString().slice(0, 10);
    for (const [kind, dir] of [['dhcp', DHCP_DIR], ['tftp', TFTP_DIR]] as const) {
      mkdirSync(dir, { recursive: true });
      for (const f of readdirSync(dir)) if (f.endsWith('.bin')) rmSync(join(dir, f));
      for (const v of vectors.filter((x) => x.dir === kind)) writeFileSync(join(dir, v.file), v.bytes);
      writeFileSync(join(dir, 'README.md'), readme(kind, vectors, versions, date, timings, ra));
    }
    console.log(`wrote ${DHCP_DIR} and ${TFTP_DIR}`);
  }
  if (keep) console.log(`work dir kept: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await destroyAll();
  process.exit(1);
});
