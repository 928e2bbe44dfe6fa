/**
 * Where a machine's last boot attempt begins in its timeline. An attempt starts with the
 * firmware's DHCP (a DISCOVER, or in proxy mode bootfleet's proxy offer); iPXE's DHCP right
 * after the firmware fetched an iPXE binary continues that attempt, while an iPXE ROM's DHCP
 * (nothing fetched since the last one) starts a new one. The booted system's own DHCP (an OS
 * client) never starts one while a network-boot attempt is there to read.
 */
import type { EventRecord } from '../events/boot-event.js';
import { fileRole } from './file-roles.js';

const isDhcpStart = (e: EventRecord): boolean => e.kind === 'dhcp.discover' || e.kind === 'dhcp.proxy-offer';
const firmwareOf = (e: EventRecord): unknown => e.data?.firmware;

function fetchedPath(e: EventRecord): string | null {
  if (e.kind === 'tftp.done') return String(e.data?.file ?? '');
  if (e.kind !== 'http.request') return null;
  const status = Number(e.data?.status ?? 0);
  return status >= 200 && status < 300 ? String(e.data?.path ?? '') : null;
}

/**
 * True when the event at `i` is iPXE's DHCP right after an iPXE binary was fetched: scanning
 * back, an iPXE loader fetch comes before any other DHCP start, script or payload.
 */
function continuesAfterLoader(events: readonly EventRecord[], i: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const e = events[j]!;
    if (e.kind === 'http.script') return false;
    // iPXE's own earlier tries (a DISCOVER resent when an OFFER was lost) belong to the same attempt.
    if (isDhcpStart(e) && firmwareOf(e) === 'ipxe') continue;
    const path = fetchedPath(e);
    if (path !== null) {
      const role = fileRole(path);
      if (role === 'ipxe-loader') return true;
      if (role === 'script' || role === 'payload') return false;
    }
    if (isDhcpStart(e)) return false;
  }
  return false;
}

/** The events of the last attempt, oldest first (all of them when no start is found). */
export function lastAttempt(events: readonly EventRecord[]): EventRecord[] {
  let osStart = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (!isDhcpStart(e)) continue;
    const firmware = firmwareOf(e);
    if (firmware === 'os') {
      if (osStart < 0) osStart = i;
      continue;
    }
    if (firmware === 'ipxe' && continuesAfterLoader(events, i)) continue;
    // A run of the same firmware's DHCP starts (retries before an answer) is one start.
    let start = i;
    while (start > 0 && isDhcpStart(events[start - 1]!) && firmwareOf(events[start - 1]!) === firmware) start--;
    return events.slice(start);
  }
  return osStart >= 0 ? events.slice(osStart) : [...events];
}
