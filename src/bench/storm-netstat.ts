/**
 * UDP datagrams the kernel dropped because a socket's receive buffer was full, from a
 * namespace's `/proc/net/snmp` (per network namespace): where a burst was lost before the
 * server (or the storm's own client) ever read it.
 */

/** The `Udp:` line's RcvbufErrors (and InErrors, which includes them), or null if absent. */
export function udpReceiveDrops(snmp: string): { rcvbufErrors: number; inErrors: number } | null {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp: '));
  if (lines.length < 2) return null;
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  const get = (name: string): number | null => {
    const i = names.indexOf(name);
    const v = i < 0 ? undefined : values[i];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  const rcvbufErrors = get('RcvbufErrors');
  const inErrors = get('InErrors');
  return rcvbufErrors === null || inErrors === null ? null : { rcvbufErrors, inErrors };
}
