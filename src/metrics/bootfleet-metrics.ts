/**
 * What `GET /metrics` reports: counters kept from the event stream (one Map increment per
 * event, nothing per packet beyond what the event already costs) plus values read from the
 * servers and the lease store only when Prometheus scrapes. Every label value comes from a
 * fixed set in the code (event kinds, drop codes, status classes, lease states), never from a
 * client, so a hostile client cannot grow the label space.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { BootEvent } from '../events/boot-event.js';
import type { DhcpServerStats } from '../dhcp/server.js';
import type { TftpStats } from '../tftp/server.js';
import { LEASE_STATES, type LeaseCounts } from '../store/lease-store.js';
import type { MetricFamily } from './prometheus-text.js';

export interface MetricSources {
  /** Events emitted, by kind (`EventLog.counts`). */
  eventCounts: () => ReadonlyMap<string, number>;
  dhcp: () => DhcpServerStats | null;
  tftp: () => readonly TftpStats[];
  /** Lease rows by state at `now` (`LeaseStore.countByState`), or null while no store is open. */
  leaseCounts: (now: number) => Promise<LeaseCounts | null>;
  /** Machines with a live timeline. */
  machinesTracked: () => number;
  now?: () => number;
}

const CODE = /^[A-Z][A-Z0-9_]{0,40}$/;

export class BootfleetMetrics {
  private readonly dhcpDrops = new Map<string, number>();
  private readonly httpByClass = new Map<string, number>();
  private httpBytes = 0;
  private tftpBytes = 0;
  private readonly loopDelay: IntervalHistogram;

  constructor(private readonly sources: MetricSources) {
    this.loopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.loopDelay.enable();
  }

  /** Feed every event here (EventLog.subscribe). */
  note(e: BootEvent): void {
    const d = e.data;
    if (d === undefined) return;
    if (e.kind === 'dhcp.drop') {
      const code = typeof d.code === 'string' && CODE.test(d.code) ? d.code : 'OTHER';
      this.dhcpDrops.set(code, (this.dhcpDrops.get(code) ?? 0) + 1);
    } else if (e.kind === 'http.request') {
      const status = typeof d.status === 'number' ? d.status : 0;
      const cls = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
      this.httpByClass.set(cls, (this.httpByClass.get(cls) ?? 0) + 1);
      if (typeof d.bytes === 'number') this.httpBytes += d.bytes;
    } else if (e.kind === 'tftp.done' && typeof d.bytes === 'number') {
      this.tftpBytes += d.bytes;
    }
  }

  stop(): void {
    this.loopDelay.disable();
  }

  async families(): Promise<MetricFamily[]> {
    const s = this.sources;
    const now = (s.now ?? Date.now)();
    const out: MetricFamily[] = [];
    const counter = (name: string, help: string, value: number): void => {
      out.push({ name, help, type: 'counter', samples: [{ value }] });
    };
    const gauge = (name: string, help: string, value: number): void => {
      out.push({ name, help, type: 'gauge', samples: [{ value }] });
    };

    const dhcp = s.dhcp();
    if (dhcp !== null) {
      counter('bootfleet_dhcp_received_total', 'DHCP datagrams read from any socket.', dhcp.received);
      counter('bootfleet_dhcp_replied_total', 'DHCP replies handed to the kernel.', dhcp.replied);
      counter('bootfleet_dhcp_dropped_total', 'DHCP datagrams dropped (undecodable, not ours, overload, failed).', dhcp.dropped);
      counter('bootfleet_dhcp_stale_total', 'DHCP requests dropped because they waited past the deadline under load.', dhcp.stale);
    }
    out.push({
      name: 'bootfleet_dhcp_drops_total',
      help: 'DHCP drops by reason code (see the troubleshooting table in README).',
      type: 'counter',
      samples: [...this.dhcpDrops].map(([code, value]) => ({ labels: { code }, value })),
    });
    // Counted by the store (its in-process copy, or one GROUP BY): a scrape never copies the table.
    const leases = await s.leaseCounts(now);
    out.push({
      name: 'bootfleet_dhcp_leases',
      help: 'Rows in the lease store by state (expired: an offer, lease or decline past its time, free to reuse).',
      type: 'gauge',
      samples: leases === null ? [] : LEASE_STATES.map((state) => ({ labels: { state }, value: leases[state] })),
    });

    const tftp = s.tftp();
    const sum = (k: keyof TftpStats): number => tftp.reduce((a, t) => a + t[k], 0);
    counter('bootfleet_tftp_transfers_total', 'TFTP transfers started.', sum('transfers'));
    out.push({
      name: 'bootfleet_tftp_transfers_ended_total',
      help: 'TFTP transfers ended, by outcome (aborted: the client ended it after the OACK, as EDK2 does to learn a size).',
      type: 'counter',
      samples: (['completed', 'failed', 'aborted'] as const).map((outcome) => ({ labels: { outcome }, value: sum(outcome) })),
    });
    counter('bootfleet_tftp_refused_total', 'TFTP requests answered with an ERROR before any transfer (not found, WRQ, traversal, busy).', sum('refused'));
    counter('bootfleet_tftp_dropped_total', 'Malformed or unexpected TFTP datagrams.', sum('dropped'));
    gauge('bootfleet_tftp_active_transfers', 'TFTP transfers in progress.', sum('active'));
    counter('bootfleet_tftp_sent_bytes_total', 'File bytes of completed TFTP transfers.', this.tftpBytes);

    out.push({
      name: 'bootfleet_http_requests_total',
      help: 'Boot HTTP requests answered, by status class.',
      type: 'counter',
      samples: [...this.httpByClass].map(([status, value]) => ({ labels: { status }, value })),
    });
    counter('bootfleet_http_sent_bytes_total', 'Body bytes of boot HTTP responses.', this.httpBytes);

    out.push({
      name: 'bootfleet_events_total',
      help: 'Boot events emitted, by kind (each DHCP, TFTP and HTTP step is one).',
      type: 'counter',
      samples: [...s.eventCounts()].filter(([kind]) => !kind.startsWith('api.')).map(([kind, value]) => ({ labels: { kind }, value })),
    });
    gauge('bootfleet_machines_tracked', 'Machines with a live boot timeline in memory.', s.machinesTracked());

    const mem = process.memoryUsage();
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', mem.rss);
    gauge('nodejs_heap_used_bytes', 'V8 heap in use, in bytes.', mem.heapUsed);
    const cpu = process.cpuUsage();
    counter('process_cpu_seconds_total', 'User and system CPU time spent, in seconds.', (cpu.user + cpu.system) / 1e6);
    gauge('process_start_time_seconds', 'Start time of the process since the Unix epoch, in seconds.', Math.floor((Date.now() - process.uptime() * 1000) / 1000));
    out.push({
      name: 'bootfleet_event_loop_delay_seconds',
      help: 'Event loop delay since the last scrape (p50, p99, max): how long a ready packet may wait for the server to look at it.',
      type: 'gauge',
      samples: [
        { labels: { stat: 'p50' }, value: this.loopDelay.percentile(50) / 1e9 },
        { labels: { stat: 'p99' }, value: this.loopDelay.percentile(99) / 1e9 },
        { labels: { stat: 'max' }, value: this.loopDelay.max / 1e9 },
      ],
    });
    this.loopDelay.reset();
    return out;
  }
}
