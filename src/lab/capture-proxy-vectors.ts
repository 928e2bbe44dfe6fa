/**
 * Captures what real UEFI firmware sends a proxyDHCP server on port 4011, as test vectors:
 * an OVMF VM (EDK2's own PXE client, arch 7) boots in a lab where dnsmasq gives addresses only
 * and bootfleet serves in proxy mode with a PXE menu, so EDK2 sends both of its 4011 requests:
 * the proxy BINL REQUEST after an offer without option 43, then the boot server REQUEST naming
 * the chosen menu item (43.71). tcpdump records bootfleet's interface; the requests are cut out
 * of the pcap into test/vectors/dhcp-proxy/ with a README. The VM boots on to the lab marker.
 *
 * Run as root: `npx tsc -p . && node dist/lab/capture-proxy-vectors.js [--no-write] [--keep]`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BootfleetProcess } from '../harness/bootfleet-process.js';
import { stageHttpRoot } from '../harness/lab-assets.js';
import { startDnsmasq } from './dnsmasq.js';
import { destroyAll } from './netns.js';
import { readPcap } from './pcap.js';
import { startVm } from './qemu.js';
import { startCapture } from './tcpdump.js';
import { addClientNs, bootLab, LAB_NET } from './topology.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const OUT_DIR = join(REPO, 'test/vectors/dhcp-proxy');
const MAC = '52:54:00:bf:00:22';
const UUID = 'bf000000-0000-4000-8000-000000000022';
const ROUTER = '198.18.0.1';
const PXE_PORT = 4011;

function pkgVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'not installed';
  }
}

/** Option 43 of a raw DHCP message carries sub-option 71 (a boot item). */
function hasBootItem(payload: Uint8Array): boolean {
  let i = 240;
  while (i + 1 < payload.length) {
    const code = payload[i] ?? 255;
    if (code === 255) return false;
    if (code === 0) {
      i++;
      continue;
    }
    const len = payload[i + 1] ?? 0;
    if (code === 43) return payload.subarray(i + 2, i + 2 + len).includes(71);
    i += 2 + len;
  }
  return false;
}

async function main(): Promise<void> {
  const write = !process.argv.includes('--no-write');
  const keep = process.argv.includes('--keep');
  if (process.getuid?.() !== 0) throw new Error('capture-proxy-vectors must run as root (it creates network namespaces)');
  const work = mkdtempSync(join(tmpdir(), 'bootfleet-proxy-capture-'));
  chmodSync(work, 0o755);
  mkdirSync(join(work, 'tftp'));
  const lab = await bootLab({ taps: 1 });
  let server: BootfleetProcess | null = null;
  let markerSeconds = 0;
  try {
    const router = addClientNs(lab, 'router');
    router.run('ip', ['addr', 'add', `${ROUTER}/24`, 'dev', 'eth0']);
    const dns = await startDnsmasq({ ns: router, iface: 'eth0', logDir: join(work, 'dnsmasq'), args: ['--dhcp-range=198.18.0.100,198.18.0.150,1h', '--no-ping'] });
    const cap = await startCapture(lab.server, lab.serverIf, join(work, 'server.pcap'), 'udp');
    server = await BootfleetProcess.start(
      lab.server,
      {
        interfaces: [{ name: lab.serverIf, mode: 'proxy' }],
        tftp: { root: join(work, 'tftp') },
        http: { port: 8080, root: stageHttpRoot(work) },
        boot: {
          uefi: 'ipxe.efi',
          defaultProfile: 'capture',
          // The first item is the default when the 2 s prompt passes: EDK2 asks for it on 4011.
          menu: { prompt: { text: 'bootfleet menu: F8', timeout: 2 }, items: [{ label: 'Install with bootfleet', csa: 'X86-64_EFI', plan: 'ipxe.efi' }, { label: 'Local disk', csa: 'X86-64_EFI', plan: 'local' }] },
        },
        profiles: { capture: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=proxy-capture' } },
      },
      { dir: work },
    );
    const tapName = lab.tapNames[0];
    if (!tapName) throw new Error('lab has no tap');
    const started = Date.now();
    const vm = await startVm({ ns: lab.lan, tapName, mac: MAC, firmware: 'uefi', uuid: UUID, name: 'proxy-capture', logDir: work });
    try {
      await vm.waitFor(/CMDLINE: .*bf\.profile=proxy-capture/, 180_000);
      markerSeconds = (Date.now() - started) / 1000;
    } finally {
      await vm.stop();
    }
    await cap.stop();
    await dns.stop();

    const parsed = readPcap(readFileSync(join(work, 'server.pcap')));
    if (!parsed.ok) throw new Error(`pcap: ${parsed.error} ${parsed.detail}`);
    const requests = parsed.udp.filter((r) => r.dstPort === PXE_PORT && r.dstIp === LAB_NET.serverAddr && r.ethSrc === MAC);
    const binl = requests.find((r) => !hasBootItem(r.payload));
    const item = requests.find((r) => hasBootItem(r.payload));
    if (!binl || !item) throw new Error(`expected two 4011 requests from ${MAC}, got ${requests.length}`);
    const vectors = [
      { file: 'ovmf-pxe-proxy-request.bin', what: 'EDK2\'s proxy (BINL) REQUEST to port 4011 after a proxy offer without option 43', r: binl },
      { file: 'ovmf-pxe-bootitem-request.bin', what: 'EDK2\'s boot server REQUEST for the menu item it chose (43.71), to port 4011', r: item },
    ];
    for (const v of vectors) console.log(`${v.file}: ${v.r.srcIp}:${v.r.srcPort} → ${v.r.dstIp}:${v.r.dstPort}, ${v.r.payload.length} B`);
    console.log(`UEFI marker after ${markerSeconds.toFixed(1)} s`);
    if (write) {
      mkdirSync(OUT_DIR, { recursive: true });
      for (const v of vectors) writeFileSync(join(OUT_DIR, v.file), v.r.payload);
      const rows = vectors.map((v) => `| \`${v.file}\` | ${v.what} | ${v.r.srcIp}:${v.r.srcPort} → ${v.r.dstIp}:${v.r.dstPort} | ${v.r.payload.length} |`).join('\n');
      writeFileSync(
        join(OUT_DIR, 'README.md'),
        `# Captured proxyDHCP vectors (real UEFI firmware, port 4011)

Written by \`src/lab/capture-proxy-vectors.ts\` on ${new Date().toISOString().slice(0, 10)}. Do not edit by hand: regenerate instead
(as root: \`npx tsc -p . && node dist/lab/capture-proxy-vectors.js\`). Kept apart from \`../dhcp/\`, which
\`scripts/capture-vectors.sh\` rewrites from a full-mode capture.

Each \`.bin\` is one UDP payload as it crossed the wire. Client: OVMF/EDK2 PxeBcDxe (arch 7, no iPXE ROM),
MAC ${MAC}, -uuid ${UUID}, address ${binl.srcIp} from dnsmasq (\`--dhcp-range=198.18.0.100,198.18.0.150\`, addresses only)
on ${ROUTER}; bootfleet in proxy mode on ${LAB_NET.serverAddr} with a two-item PXE menu for X86-64_EFI (prompt 2 s).
The VM went on to boot the lab kernel (marker after ${markerSeconds.toFixed(1)} s under TCG).

| file | what | addresses | bytes |
|---|---|---|---|
${rows}

Software: qemu-system-x86 ${pkgVersion('qemu-system-x86')}, ovmf ${pkgVersion('ovmf')}, ipxe ${pkgVersion('ipxe')}, dnsmasq-base ${pkgVersion('dnsmasq-base')}.
`,
      );
      console.log(`wrote ${OUT_DIR}`);
    }
  } finally {
    await server?.stop();
    await lab.destroy();
    await destroyAll();
    if (keep) console.log(`work dir kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await destroyAll();
  process.exit(1);
});
