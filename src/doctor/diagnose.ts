/**
 * `bootfleet doctor`: why a machine did not boot, read from its own timeline of boot events.
 * Pure: events in, a diagnosis out. A network boot is a chain (an address → a boot file over
 * TFTP or HTTP → iPXE's own DHCP → a script or a PXELINUX config → the payload); the machine's
 * last attempt (`attempt.ts`) is read link by link into `BootFacts`, and `verdict.ts` names the
 * first link that broke, with what usually breaks it.
 */
import type { EventRecord } from '../events/boot-event.js';
import { lastAttempt } from './attempt.js';
import { fileRole } from './file-roles.js';
import { verdictOf, type BootFacts, type Verdict } from './verdict.js';

/** An event as the doctor reads it: the live timeline's, or a JSON log line's. */
export type DoctorEvent = EventRecord;

/** How far the last attempt got, in boot order. */
export type BootStage = 'unseen' | 'dhcp' | 'address' | 'boot-file' | 'ipxe' | 'script' | 'kernel' | 'installed';

export interface DoctorStep {
  time: string;
  /** The event this step is read from. */
  kind: string;
  ok: boolean;
  says: string;
}

export interface Diagnosis {
  mac: string;
  stage: BootStage;
  /** True when the last attempt got as far as bootfleet can see (payload fetched, installed, or handed over). */
  ok: boolean;
  /** One sentence: where it stopped, or that it booted. */
  summary: string;
  /** What to check next; null when nothing is wrong. */
  hint: string | null;
  /** The last attempt's steps, oldest first. */
  steps: DoctorStep[];
  lastHeard: string | null;
}

const STAGES: readonly BootStage[] = ['unseen', 'dhcp', 'address', 'boot-file', 'ipxe', 'script', 'kernel', 'installed'];
const later = (a: BootStage, b: BootStage): BootStage => (STAGES.indexOf(b) > STAGES.indexOf(a) ? b : a);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

const DROP_MEANING: Record<string, string> = {
  DHCP_NO_SUBNET: 'its request came from a segment (or relay giaddr) that no configured subnet covers: add the subnet, or check the relay',
  DHCP_BUSY: 'the server was overloaded (2048 requests in flight) and dropped it; the firmware retries',
  DHCP_STALE: 'the request waited more than 3 s in the queue under load and was dropped; the firmware retries',
  DHCP_STORE_FAILED: 'the lease store failed (see store.error in the log)',
  DHCP_PROXY_UNSAFE: 'the proxy reply failed its safety check (a bug: please report the log line)',
};

function tftpHint(mac: string, text: string): string {
  if (/not.?found|ENOENT/i.test(text)) return `the file is not under the TFTP root (or the iPXE/PXELINUX directories); check the name the DHCP reply gives (\`bootfleet explain --mac ${mac}\`)`;
  if (/timeout|ACK/i.test(text)) return 'the transfer started but ACKs stopped coming: a firewall that lets port 69 through but not the transfer port, or a path MTU below the block size (set tftp.maxBlksize: 1468)';
  return 'see the server log for this MAC';
}

/** Reads the attempt's events into facts and steps. */
function read(mac: string, attempt: readonly DoctorEvent[]): { facts: BootFacts; steps: DoctorStep[] } {
  const steps: DoctorStep[] = [];
  const step = (e: DoctorEvent, ok: boolean, says: string): void => {
    steps.push({ time: e.time, kind: e.kind, ok, says });
  };
  const f: BootFacts = {
    stage: 'dhcp',
    problem: null,
    offered: null,
    acked: null,
    proxyOffered: false,
    menuOffered: false,
    menuLocal: false,
    otherServer: null,
    bootFile: null,
    ipxeLoader: null,
    pxelinux: null,
    ipxeAddress: false,
    script: null,
    scriptFile: null,
    tftpPending: null,
    payload: new Set(),
    osDhcp: false,
    installed: false,
  };
  /** The firmware of the last DHCP request read: which client an OFFER or ACK answers. */
  let asking: unknown = null;
  const booted = (): boolean => f.payload.size > 0 || f.script !== null;
  const fail = (problem: NonNullable<BootFacts['problem']>): void => {
    // Past the payload a failure is a warning (an optional file, a second try), not why the boot stopped.
    if (f.payload.size === 0) f.problem = problem;
  };

  // TFTP reads started and not ended, in order: transfers run in parallel (a menu's files), and
  // one ending must not hide another that never did.
  const tftpOpen: string[] = [];
  const tftpEnded = (file: string | null): void => {
    const i = file === null ? -1 : tftpOpen.indexOf(file);
    if (i >= 0) tftpOpen.splice(i, 1);
    else if (file === null) tftpOpen.length = 0;
  };
  for (const e of attempt) {
    const d = e.data ?? {};
    switch (e.kind) {
      case 'dhcp.discover':
      case 'dhcp.request': {
        asking = d.firmware ?? asking;
        if (d.firmware === 'os' && booted()) {
          f.osDhcp = true;
          step(e, true, `the booted system asks for its own address (${e.kind === 'dhcp.discover' ? 'DISCOVER' : 'REQUEST'})`);
        } else if (e.kind === 'dhcp.discover') {
          step(e, true, `DISCOVER (${str(d.firmware) ?? 'unknown firmware'}, arch ${num(d.arch) ?? '-'}) on ${str(d.iface) ?? '?'}${str(d.relay) ? ` via relay ${String(d.relay)}` : ''}`);
        } else if (str(d.server) !== null && e.msg.includes('not us')) {
          f.otherServer = String(d.server);
          step(e, false, `took the offer of another DHCP server (${f.otherServer})`);
        } else {
          step(e, true, `REQUEST ${str(d.ip) ?? ''} (${str(d.state) ?? '?'})`);
        }
        break;
      }
      case 'dhcp.offer':
        if (asking === 'os' && booted()) break;
        f.offered = str(d.ip);
        step(e, true, `OFFER ${str(d.ip) ?? '?'} (${str(d.boot) ?? '?'})`);
        break;
      case 'dhcp.ack': {
        const ip = str(d.ip) ?? '?';
        const boot = str(d.boot) ?? '';
        if (asking === 'os' && booted()) {
          step(e, true, `ACK ${ip} to the booted system`);
        } else if (asking === 'ipxe') {
          f.ipxeAddress = true;
          f.stage = later(f.stage, 'ipxe');
          step(e, true, `iPXE has address ${ip} (${boot})`);
        } else {
          f.acked = { ip, boot, reason: str(d.reason) ?? '', proxy: false };
          f.stage = later(f.stage, 'address');
          step(e, true, `ACK ${ip} (${boot || 'no boot plan'})`);
        }
        if (f.problem?.summary.startsWith('its REQUEST was refused')) f.problem = null;
        break;
      }
      case 'dhcp.proxy-offer':
      case 'dhcp.proxy-ack': {
        const boot = str(d.boot) ?? '';
        const file = str(d.file);
        if (d.firmware === 'ipxe' || boot === 'ipxe-script') {
          f.ipxeAddress = true;
          f.stage = later(f.stage, 'ipxe');
        } else {
          f.proxyOffered = true;
          if (boot === 'pxe-menu') f.menuOffered = true;
          if (file !== null) f.bootFile = file;
          // A later reply that names a file (a menu item chosen on port 4011) replaces what an earlier one said.
          if (e.kind === 'dhcp.proxy-ack' || file !== null) f.acked = { ip: str(d.clientIp), boot, reason: str(d.reason) ?? '', proxy: true };
        }
        step(e, true, `${e.msg}${file !== null ? `, file ${file}` : ''}`);
        break;
      }
      case 'dhcp.exhausted':
        step(e, false, e.msg);
        fail({ summary: `no address to offer: ${e.msg}`, hint: 'the pool is full: widen the range, shorten lease times, or free stale leases' });
        break;
      case 'dhcp.drop': {
        step(e, false, `${e.msg} (${str(d.code) ?? '?'})`);
        const code = str(d.code) ?? '';
        if (f.stage === 'dhcp' && f.offered === null && !f.proxyOffered) fail({ summary: `its request was dropped: ${e.msg}`, hint: DROP_MEANING[code] ?? `drop code ${code}: see the server log for this MAC` });
        break;
      }
      case 'dhcp.silent':
        if (/is local boot/.test(e.msg)) {
          f.menuLocal = true;
          step(e, true, `chose local boot from the PXE menu (${e.msg})`);
        } else if (f.offered !== null || f.proxyOffered || f.ipxeAddress || booted()) {
          // Routine: e.g. a REQUEST on port 67 in proxy mode is for the LAN's DHCP server.
          step(e, true, e.msg);
        } else {
          step(e, false, e.msg);
          fail({ summary: `bootfleet chose not to answer: ${e.msg}`, hint: 'this is the configured policy for this client (an OS DHCP client in proxy mode, an ignored or unknown architecture): `bootfleet explain --mac` shows the decision' });
        }
        break;
      case 'dhcp.nak':
        step(e, false, e.msg);
        fail({ summary: `its REQUEST was refused: ${e.msg}`, hint: "a NAK makes the client start over; if it repeats, the address it asks for is not in a served subnet (moved machine, or another server's lease)" });
        break;
      case 'tftp.request':
        f.bootFile ??= str(d.file);
        // The same file asked again (EDK2 reads the size, ends, asks again; a retry) is one read.
        if (str(d.file) !== null && !tftpOpen.includes(String(d.file))) tftpOpen.push(String(d.file));
        step(e, true, `TFTP read ${str(d.file) ?? '?'}${str(d.options) ? ` (${String(d.options)})` : ''}`);
        break;
      case 'tftp.pxelinux':
        step(e, e.level !== 'error' && e.level !== 'warn', e.msg);
        if (str(d.profile) !== null) {
          f.script = { profile: String(d.profile), kind: 'pxelinux' };
          f.stage = later(f.stage, 'script');
        }
        break;
      case 'tftp.done':
      case 'http.request': {
        const path = str(d.file) ?? str(d.path) ?? '?';
        const status = num(d.status);
        const failed = e.kind === 'http.request' && (status === null || status < 200 || status >= 400 || d.aborted === true);
        if (e.kind === 'tftp.done') tftpEnded(str(d.file));
        step(e, !failed, e.kind === 'tftp.done' ? `TFTP sent ${path} (${num(d.bytes) ?? '?'} bytes in ${num(d.ms) ?? '?'} ms)` : e.msg);
        if (failed) {
          fail({
            summary: `HTTP ${path} answered ${status ?? '?'}${d.aborted === true ? ' and the client hung up' : ''}`,
            hint:
              status === 404
                ? "the file is not under http.root: check the profile's kernel/initrd paths"
                : d.aborted === true
                  ? 'the client gave up mid-transfer: out of memory for a large initrd, or a timeout in the firmware'
                  : 'see the server log for this request',
          });
          break;
        }
        const role = fileRole(path);
        if (role === 'ipxe-loader') {
          f.ipxeLoader = path;
          f.stage = later(f.stage, 'boot-file');
        } else if (role === 'pxelinux') {
          f.pxelinux ??= path;
          f.stage = later(f.stage, 'boot-file');
        } else if (role === 'script') {
          f.scriptFile ??= path;
          f.stage = later(f.stage, 'script');
        } else {
          f.payload.add(path);
          f.stage = later(f.stage, 'kernel');
        }
        break;
      }
      case 'tftp.error': {
        const file = str(d.file);
        tftpEnded(file);
        step(e, false, `${e.msg}${file !== null ? ` (${file})` : ''}`);
        fail({ summary: `TFTP ${file !== null ? `of ${file} ` : ''}failed: ${e.msg}`, hint: tftpHint(mac, e.msg + (str(d.reason) ?? '')) });
        break;
      }
      case 'http.script':
        if (e.level === 'error') {
          step(e, false, e.msg);
          fail({ summary: `its boot script could not be made: ${e.msg}`, hint: 'fix the profile or template named above (`bootfleet check-config`), then reboot the machine' });
        } else {
          f.script = { profile: str(d.profile) ?? '?', kind: str(d.kind) ?? 'linux' };
          f.stage = later(f.stage, 'script');
          step(e, true, e.msg);
        }
        break;
      case 'fleet.installed':
        f.installed = true;
        f.stage = 'installed';
        step(e, true, e.msg);
        break;
      default:
        if (e.level === 'warn' || e.level === 'error') step(e, false, e.msg);
    }
  }
  f.tftpPending = tftpOpen[0] ?? null;
  return { facts: f, steps };
}

/** Reads one machine's events (oldest first) and says how far its last boot got, and why it stopped there. */
export function diagnose(mac: string, events: readonly DoctorEvent[], now: number = Date.now()): Diagnosis {
  const last = events[events.length - 1];
  if (last === undefined) {
    return {
      mac,
      stage: 'unseen',
      ok: false,
      summary: `bootfleet has never heard from ${mac} (since it started)`,
      hint:
        'its DHCP DISCOVER never reached a served interface: check that the machine is set to network boot (and the NIC with this MAC is the one booting), ' +
        'that its switch port is on a served segment (`interfaces:` in the config; `bootfleet serve` prints them), and, across routers, that the relay (ip helper-address) points at this server',
      steps: [],
      lastHeard: null,
    };
  }
  const { facts, steps } = read(mac, lastAttempt(events));
  const v: Verdict = verdictOf(mac, facts);
  const quietFor = Math.max(0, Math.round((now - Date.parse(last.time)) / 1000));
  const stillGoing = !v.ok && quietFor < 30 ? ` (last heard ${quietFor}s ago: it may still be booting)` : '';
  return { mac, stage: facts.stage, ok: v.ok, summary: v.summary + stillGoing, hint: v.hint, steps, lastHeard: last.time };
}
