/**
 * `bootfleet doctor`: why a machine did not boot, read from its own timeline of boot events.
 * Pure: events in, a diagnosis out. A network boot is a chain (DHCP address → boot file over
 * TFTP or HTTP → iPXE's own DHCP → script → kernel); the machine's last attempt is walked link
 * by link, and the first link that broke is named with what usually breaks it.
 */
import type { EventRecord } from '../events/boot-event.js';

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
  /** True when the last attempt got as far as bootfleet can see (kernel fetched, installed, or local boot). */
  ok: boolean;
  /** One sentence: where it stopped, or that it booted. */
  summary: string;
  /** What to check next; null when nothing is wrong. */
  hint: string | null;
  /** The last attempt's steps, oldest first. */
  steps: DoctorStep[];
  lastHeard: string | null;
}

/** Files that are a step on the way to the kernel, not the kernel itself. */
const LOADERS = /(^|\/)(undionly\.kpxe|undionly\.kkpxe|ipxe\.pxe|ipxe\.efi|snponly\.efi|snp\.efi|ipxe\.lkrn|pxelinux\.0|lpxelinux\.0|syslinux\.efi|[^/]+\.c32|pxelinux\.cfg\/.*|boot\.ipxe|[^/]+\.ipxe)$/;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** A fetch of a network boot program (iPXE, PXELINUX) that runs next and asks DHCP again. */
function isLoaderFetch(e: DoctorEvent): boolean {
  if (e.kind === 'tftp.done') return LOADERS.test(String(e.data?.file ?? ''));
  if (e.kind !== 'http.request') return false;
  const path = String(e.data?.path ?? '');
  const status = Number(e.data?.status ?? 0);
  return status >= 200 && status < 300 && LOADERS.test(path) && !path.startsWith('/boot.ipxe');
}

/**
 * Where the machine's last boot attempt begins: its last DISCOVER that does not follow a loader
 * it just fetched. The firmware's DISCOVER starts an attempt; iPXE's DISCOVER after the firmware
 * fetched ipxe.efi continues it, while iPXE's DISCOVER from a NIC's iPXE ROM starts one. A run of
 * DISCOVERs (retries before an offer) counts as one start.
 */
function lastAttempt(events: readonly DoctorEvent[]): DoctorEvent[] {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const starts = e.kind === 'dhcp.discover' || (e.kind === 'dhcp.proxy-offer' && e.data?.boot !== 'ipxe-script');
    if (!starts || (e.data?.firmware === 'ipxe' && hasLoaderFetchBefore(events, i))) continue;
    let start = i;
    while (start > 0 && events[start - 1]!.kind === 'dhcp.discover' && events[start - 1]!.data?.firmware === e.data?.firmware) start--;
    return events.slice(start);
  }
  return [...events];
}

/** True when a loader was fetched between the previous DISCOVER and index `i`. */
function hasLoaderFetchBefore(events: readonly DoctorEvent[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const e = events[j]!;
    if (isLoaderFetch(e)) return true;
    if (e.kind === 'dhcp.discover') return false;
  }
  return false;
}

const DROP_MEANING: Record<string, string> = {
  DHCP_NO_SUBNET: 'its request came from a segment (or relay giaddr) that no configured subnet covers: add the subnet, or check the relay',
  DHCP_BUSY: 'the server was overloaded (256 requests queued) and dropped it; the firmware retries',
  DHCP_STALE: 'the request waited more than 3 s in the queue under load and was dropped; the firmware retries',
  DHCP_STORE_FAILED: 'the lease store failed (see store.error in the log)',
  DHCP_PROXY_UNSAFE: 'the proxy reply failed its safety check (a bug: please report the log line)',
};

/** Reads one machine's events (oldest first) and says how far its last boot got, and why it stopped there. */
export function diagnose(mac: string, events: readonly DoctorEvent[], now: number = Date.now()): Diagnosis {
  if (events.length === 0) {
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
  const attempt = lastAttempt(events);
  const steps: DoctorStep[] = [];
  const step = (e: DoctorEvent, ok: boolean, says: string): void => {
    steps.push({ time: e.time, kind: e.kind, ok, says });
  };

  let stage: BootStage = 'dhcp';
  let problem: { summary: string; hint: string } | null = null;
  let offered: string | null = null;
  let acked: { ip: string; boot: string; reason: string } | null = null;
  let otherServer: string | null = null;
  let bootFile: string | null = null;
  let fetchedLoader: string | null = null;
  let ipxeAddress = false;
  let script: { profile: string; kind: string } | null = null;
  /** What the machine fetched past its loaders, once each in the order first fetched (an ISO read by Range comes many times). */
  const kernelFiles = new Set<string>();
  let installed = false;

  for (const e of attempt) {
    const d = e.data ?? {};
    switch (e.kind) {
      case 'dhcp.discover':
        step(e, true, `DISCOVER (${str(d.firmware) ?? 'unknown firmware'}, arch ${num(d.arch) ?? '-'}) on ${str(d.iface) ?? '?'}${str(d.relay) ? ` via relay ${String(d.relay)}` : ''}`);
        break;
      case 'dhcp.offer':
        offered = str(d.ip);
        step(e, true, `OFFER ${offered ?? '?'} (${str(d.boot) ?? '?'})`);
        break;
      case 'dhcp.proxy-offer':
      case 'dhcp.proxy-ack':
        if (e.kind === 'dhcp.proxy-ack' || offered === null) offered = 'proxy';
        if (str(d.file)) bootFile = String(d.file);
        step(e, true, `${e.msg}${str(d.file) ? `, file ${String(d.file)}` : ''}`);
        if (e.kind === 'dhcp.proxy-ack' || str(d.file)) {
          acked ??= { ip: str(d.clientIp) ?? '(from the LAN\'s DHCP server)', boot: str(d.boot) ?? '', reason: str(d.reason) ?? '' };
          if (stage === 'dhcp') stage = 'address';
        }
        break;
      case 'dhcp.exhausted':
        step(e, false, e.msg);
        problem ??= { summary: `no address to offer: ${e.msg}`, hint: 'the pool is full: widen the range, shorten lease times, or free stale leases' };
        break;
      case 'dhcp.drop':
        step(e, false, `${e.msg} (${str(d.code) ?? '?'})`);
        if (stage === 'dhcp' && offered === null) {
          const code = str(d.code) ?? '';
          problem = { summary: `its request was dropped: ${e.msg}`, hint: DROP_MEANING[code] ?? `drop code ${code}: see the server log for this MAC` };
        }
        break;
      case 'dhcp.silent':
        step(e, false, e.msg);
        if (offered === null) problem = { summary: `bootfleet chose not to answer: ${e.msg}`, hint: 'this is the configured policy for this client (an OS DHCP client in proxy mode, an ignored or unknown architecture): `bootfleet explain --mac` shows the decision' };
        break;
      case 'dhcp.request':
        if (str(d.server) !== null && e.msg.includes('not us')) {
          otherServer = String(d.server);
          step(e, false, `took the offer of another DHCP server (${otherServer})`);
        } else {
          step(e, true, `REQUEST ${str(d.ip) ?? ''} (${str(d.state) ?? '?'})`);
        }
        break;
      case 'dhcp.nak':
        step(e, false, e.msg);
        problem = { summary: `its REQUEST was refused: ${e.msg}`, hint: 'a NAK makes the client start over; if it repeats, the address it asks for is not in a served subnet (moved machine, or another server\'s lease)' };
        break;
      case 'dhcp.ack': {
        const ip = str(d.ip) ?? '?';
        const boot = str(d.boot) ?? '';
        if (ipxeAddressStage(attempt, e)) {
          ipxeAddress = true;
          stage = maxStage(stage, 'ipxe');
          step(e, true, `iPXE has address ${ip} (${boot})`);
        } else {
          acked = { ip, boot, reason: str(d.reason) ?? '' };
          stage = maxStage(stage, 'address');
          step(e, true, `ACK ${ip} (${boot || 'no boot plan'})`);
        }
        if (problem !== null && problem.summary.startsWith('its REQUEST was refused')) problem = null;
        break;
      }
      case 'tftp.request':
        bootFile ??= str(d.file);
        step(e, true, `TFTP read ${str(d.file) ?? '?'}${str(d.options) ? ` (${String(d.options)})` : ''}`);
        break;
      case 'tftp.done': {
        const file = str(d.file) ?? '?';
        step(e, true, `TFTP sent ${file} (${num(d.bytes) ?? '?'} bytes in ${num(d.ms) ?? '?'} ms)`);
        if (LOADERS.test(file)) {
          fetchedLoader = file;
          stage = maxStage(stage, 'boot-file');
        } else {
          kernelFiles.add(file);
          stage = maxStage(stage, 'kernel');
        }
        break;
      }
      case 'tftp.error': {
        const file = str(d.file) ?? str(d.client) ?? '?';
        step(e, false, `${e.msg}${str(d.file) ? ` (${file})` : ''}`);
        const reason = str(d.reason) ?? '';
        problem = {
          summary: `TFTP ${str(d.file) ? `of ${file} ` : ''}failed: ${e.msg}`,
          hint: /not.?found|ENOENT/i.test(e.msg + reason)
            ? `the file is not under the TFTP root (or the iPXE/PXELINUX directories); check the name the DHCP reply gives (\`bootfleet explain --mac ${mac}\`)`
            : /timeout|ACK/i.test(e.msg + reason)
              ? 'the transfer started but ACKs stopped coming: a firewall that lets port 69 through but not the transfer port, or a path MTU below the block size (set tftp.maxBlksize: 1468)'
              : 'see the server log for this MAC',
        };
        break;
      }
      case 'http.script':
        if (e.level === 'error') {
          step(e, false, e.msg);
          problem = { summary: `its boot script could not be made: ${e.msg}`, hint: 'fix the profile or template named above (`bootfleet check-config`), then reboot the machine' };
        } else {
          script = { profile: str(d.profile) ?? '?', kind: str(d.kind) ?? 'linux' };
          stage = maxStage(stage, 'script');
          step(e, true, e.msg);
        }
        break;
      case 'http.request': {
        const status = num(d.status) ?? 0;
        const path = str(d.path) ?? '?';
        const ok = status >= 200 && status < 400 && d.aborted !== true;
        step(e, ok, e.msg);
        if (!ok) {
          problem = {
            summary: `HTTP ${path} answered ${status}${d.aborted === true ? ' and the client hung up' : ''}`,
            hint:
              status === 404
                ? 'the file is not under http.root: check the profile\'s kernel/initrd paths'
                : d.aborted === true
                  ? 'the client gave up mid-transfer: out of memory for a large initrd, or a timeout in the firmware'
                  : 'see the server log for this request',
          };
        } else if (path.startsWith('/boot.ipxe')) {
          stage = maxStage(stage, 'script');
        } else if (LOADERS.test(path)) {
          fetchedLoader = path;
          stage = maxStage(stage, 'boot-file');
        } else {
          kernelFiles.add(path);
          stage = maxStage(stage, 'kernel');
        }
        break;
      }
      case 'fleet.installed':
        installed = true;
        stage = 'installed';
        step(e, true, e.msg);
        break;
      default:
        if (e.level === 'warn' || e.level === 'error') step(e, false, e.msg);
    }
  }

  const lastHeard = events[events.length - 1]!.time;
  const quietFor = Math.max(0, Math.round((now - Date.parse(lastHeard)) / 1000));
  const stillGoing = quietFor < 30 ? ` (last heard ${quietFor}s ago: it may still be booting)` : '';
  const done = (summary: string): Diagnosis => ({ mac, stage, ok: true, summary, hint: null, steps, lastHeard });
  const stuck = (summary: string, hint: string): Diagnosis => ({ mac, stage, ok: false, summary: summary + stillGoing, hint, steps, lastHeard });

  if (installed) return done('installed: the installer reported back, and the machine boots its normal profile from now on');
  if (kernelFiles.size > 0 && problem === null) {
    return done(`booted as far as bootfleet can see: fetched ${[...kernelFiles].join(', ')}; what the kernel does next is not visible from here`);
  }
  if (problem !== null) return stuck(problem.summary, problem.hint);
  if (script !== null) {
    // These kinds hand the machine to something bootfleet does not serve: silence after the script is expected.
    if (script.kind === 'local') return done(`told to boot from its local disk (profile ${script.profile})`);
    if (script.kind === 'sanboot') return done(`handed to its SAN target (profile ${script.profile}); an iSCSI boot goes past bootfleet from here`);
    if (script.kind === 'chain') return done(`chained to another script (profile ${script.profile}); if that is on another server, its steps are not visible from here`);
    return stuck(
      `iPXE got its script (profile ${script.profile}, kind ${script.kind}) but fetched nothing after it`,
      'the URLs in the script are not reachable from the machine, or the profile boots something bootfleet does not serve (sanboot, chain to another server): `curl` the script for this MAC and try its URLs',
    );
  }
  if (ipxeAddress) {
    return stuck('iPXE has an address but never asked for its boot script', 'the HTTP port is blocked between machine and server, or option 67 for iPXE points elsewhere (`bootfleet explain --mac ' + mac + ' --ipxe`)');
  }
  if (fetchedLoader !== null) {
    return stuck(
      `the firmware fetched ${fetchedLoader} but iPXE never asked for an address`,
      'the binary does not suit this firmware (BIOS needs undionly.kpxe, UEFI ipxe.efi or snponly.efi; see the DISCOVER\'s arch above) or it stopped before DHCP: watch the console',
    );
  }
  if (acked !== null) {
    if (acked.boot === 'no-boot' || acked.boot === 'ignore' || acked.boot === '') {
      return stuck(`got address ${acked.ip} but no boot file: ${acked.reason || 'no boot plan'}`, 'this is the boot decision for this machine: `bootfleet explain --mac ' + mac + '` shows it; a machine that should boot needs a profile (group, or its own)');
    }
    return stuck(
      `got address ${acked.ip} and boot plan ${acked.boot}${bootFile ? ` (${bootFile})` : ''}, but never asked bootfleet for the file`,
      'TFTP (UDP 69 and the transfer ports) or HTTP is blocked between machine and server, `next-server` (siaddr) points elsewhere, or the firmware gave up waiting',
    );
  }
  if (otherServer !== null) {
    return stuck(
      `it took the offer of another DHCP server (${otherServer}) instead of ours`,
      'two DHCP servers on one segment: run bootfleet in proxy mode beside the LAN\'s server, or stop the other one from answering this segment',
    );
  }
  if (offered !== null) {
    return stuck(
      `offered ${offered} but the client never asked for it`,
      'the OFFER did not reach it (a relay that does not forward replies, or a broadcast filtered on the way), or it preferred another server\'s offer that bootfleet never saw',
    );
  }
  return stuck('its DISCOVER reached bootfleet, but no OFFER was sent', 'see the steps above and the server log for this MAC; `bootfleet explain --mac ' + mac + '` shows the boot decision');
}

const ORDER: readonly BootStage[] = ['unseen', 'dhcp', 'address', 'boot-file', 'ipxe', 'script', 'kernel', 'installed'];
function maxStage(a: BootStage, b: BootStage): BootStage {
  return ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a;
}

/** True when this ACK answers iPXE (its preceding DISCOVER or REQUEST named firmware ipxe). */
function ipxeAddressStage(attempt: readonly DoctorEvent[], ack: DoctorEvent): boolean {
  const at = attempt.indexOf(ack);
  for (let i = at - 1; i >= 0; i--) {
    const e = attempt[i]!;
    if (e.kind === 'dhcp.discover' || (e.kind === 'dhcp.request' && e.data?.firmware !== undefined)) return e.data?.firmware === 'ipxe';
  }
  return false;
}
