/**
 * `npm run demo`: builds a lab namespace, starts bootfleet in it, network-boots a QEMU VM
 * from it and prints the boot as it happens. Everything happens inside namespaces this
 * program creates (198.18.0.0/24) and is removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { canUseNetns, destroyAll } from '../lab/netns.js';
import { bootLab } from '../lab/topology.js';
import { startVm, type Firmware } from '../lab/qemu.js';
import { BootfleetProcess, type LoggedEvent } from '../harness/bootfleet-process.js';
import { stageHttpRoot } from '../harness/lab-assets.js';

const { values } = parseArgs({
  options: {
    firmware: { type: 'string', default: 'bios' },
    keep: { type: 'boolean', default: false },
  },
});
const firmware = values.firmware as Firmware;
if (firmware !== 'bios' && firmware !== 'uefi') {
  console.error(`--firmware must be bios or uefi, not ${values.firmware}`);
  process.exit(2);
}
if (!canUseNetns()) {
  console.error('The demo needs root: it creates network namespaces (it never touches the host\'s interfaces).');
  process.exit(1);
}

const started = Date.now();
const t = (): string => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const mac = '52:54:00:de:00:01';
const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-demo-'));

function show(e: LoggedEvent): void {
  if (e.level === 'debug' && !e.kind.startsWith('dhcp.')) return;
  const d = e.data ?? {};
  const extra = [d.ip, d.file, d.path, d.status, d.bytes !== undefined ? `${d.bytes} bytes` : undefined].filter((x) => x !== undefined && x !== null).join(' ');
  console.log(`${t()}  ${e.kind.padEnd(14)} ${(e.mac ?? '').padEnd(17)} ${e.msg}${extra ? `  (${extra})` : ''}`);
}

let exitCode = 0;
try {
  console.log(`${t()}  lab: bridge br0 in a namespace, bootfleet on 198.18.0.2/24, a ${firmware.toUpperCase()} VM on a tap`);
  const lab = await bootLab({ taps: 1 });
  const server = await BootfleetProcess.start(
    lab.server,
    {
      interfaces: [{ name: lab.serverIf, mode: 'full' }],
      dhcp: { subnets: [{ subnet: '198.18.0.0/24', pools: [{ start: '198.18.0.100', end: '198.18.0.150' }], leaseTime: '1h' }] },
      tftp: { root: path.join(dir, 'http') },
      http: { port: 8080, root: stageHttpRoot(dir) },
      profiles: { default: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=demo' } },
    },
    { dir, onEvent: show },
  );
  console.log(`${t()}  bootfleet is up (config ${server.configPath}); powering on the VM (software emulation: ~25-40 s)`);
  const vm = await startVm({ ns: lab.lan, tapName: lab.tapNames[0]!, mac, firmware, name: 'demo', logDir: dir });
  const m = await vm.waitFor(/CMDLINE: (.*)/, 180_000);
  console.log(`${t()}  VM says: BOOTFLEET-MARKER, kernel command line: ${m[1]}`);
  console.log(`${t()}  booted ${firmware.toUpperCase()} VM ${mac} from bootfleet alone; its timeline had ${server.timeline(mac).length} events`);
  await vm.stop();
  await server.stop();
  await lab.destroy();
} catch (err) {
  console.error(`demo failed: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await destroyAll();
  if (!values.keep) rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
