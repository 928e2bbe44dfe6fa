/**
 * What the boot-storm client is told and what it reports back: shared between the harness
 * (`storm-bench.ts`, which starts the client in a lane's client namespace) and the client
 * process (`storm-client.ts`). Plain data, JSON both ways.
 */

/** One simulated machine's boot: DORA through the relay, a TFTP read, an HTTP GET. */
export interface StormClientSpec {
  machines: number;
  /** Second byte of every MAC (`02:<prefix>:…`, locally administered), so two storms never share one. */
  macPrefix: number;
  /** The machines' first DISCOVERs are spread evenly over this many milliseconds: one burst. */
  spreadMs: number;
  /** The relay's address (giaddr); the client listens on it, port 67, as a relay agent does. */
  relayAddr: string;
  serverAddr: string;
  tftp: {
    /** Name in the TFTP request. */
    file: string;
    /** The same file on disk, to check every block against. */
    localPath: string;
    blksize: number;
    /** RFC 7440 window asked for (EDK2 asks 4); 1 = lock-step, no window asked. */
    windowsize: number;
  };
  http: {
    port: number;
    /** URL path, e.g. `/storm-kernel.bin`. */
    path: string;
    localPath: string;
  };
  /**
   * DHCP retransmission timeouts, one per send (PXE spec 2.1 §2.2.1: DISCOVER at 4, 8, 16,
   * 32 s); after the last one a DISCOVER gives up and a REQUEST starts over.
   */
  dhcpTimeoutsMs: number[];
  /** Each DHCP wait moves by a uniform random amount in ±this (RFC 2131 §4.1: ±1 s). */
  dhcpJitterMs: number;
  /** DISCOVER rounds a machine may start (a NAK or an unanswered REQUEST starts another). */
  dhcpRounds: number;
  /** TFTP: first wait for a reply before sending again; doubles up to `tftpMaxTimeoutMs`. */
  tftpTimeoutMs: number;
  tftpMaxTimeoutMs: number;
  /** Sends of one request or ACK before the transfer fails. */
  tftpTries: number;
  /** HTTP: the GET fails when no byte arrived for this long. */
  httpStallMs: number;
  /** The whole storm ends by then (from the first DISCOVER), finished or not. */
  deadlineMs: number;
  /** The client writes its {@link StormClientResult} here as JSON. */
  resultFile: string;
}

/** The step a machine was in when it failed. */
export type StormStep = 'dhcp' | 'tftp' | 'http';

/** One machine's boot, times in ms from the storm's start. */
export interface MachineRecord {
  mac: string;
  /** The address it was ACKed ('' if none). */
  ip: string;
  ok: boolean;
  failedStep?: StormStep;
  error?: string;
  /** When its first DISCOVER left. */
  discoverAt: number;
  /** DISCOVER → ACK, → TFTP last block, → HTTP last byte (each from the first DISCOVER); -1 when not reached. */
  ackMs: number;
  tftpMs: number;
  totalMs: number;
  dhcpSends: number;
  tftpRetransmits: number;
  /** The window the TFTP transfer ran with (1: lock-step); 0 when it did not finish. */
  tftpWindowsize: number;
}

/** The client's report. */
export interface StormClientResult {
  /** First DISCOVER to the last machine's end. */
  wallMs: number;
  machines: MachineRecord[];
  /** Every DHCPACK the relay saw, in order, as [MAC, address] (retransmitted ones too). */
  acks: [string, string][];
  naks: number;
  /** NAKs per option 56 message. */
  nakMessages: Record<string, number>;
  /** Replies that matched no machine's exchange (late, or for another xid). */
  strayReplies: number;
  /** CPU seconds the client process used (user + system) over the storm: near the wall time means the client, not the server, set the pace. */
  clientCpuS: number;
}

/** The MAC of machine `index`: `02:<prefix>:<index as 4 bytes>`. */
export function stormMac(prefix: number, index: number): string {
  const b = [0x02, prefix & 0xff, (index >>> 24) & 0xff, (index >>> 16) & 0xff, (index >>> 8) & 0xff, index & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
