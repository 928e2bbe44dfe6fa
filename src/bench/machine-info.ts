/** The machine and program versions a benchmark ran on, for the report. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  memMiB: number;
  kernel: string;
  /** 1-, 5- and 15-minute load averages when the run started: others' work skews figures. */
  loadAvg: string;
  /** program → version line. */
  versions: Record<string, string>;
}

function firstLine(cmd: string, args: string[], pick: RegExp = /.+/): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return out.split('\n').find((l) => pick.test(l))?.trim() ?? 'unknown';
  } catch (err) {
    // nginx and wrk print their version on stderr (and wrk exits 1).
    const e = err as { stderr?: string | Buffer; stdout?: string | Buffer };
    const text = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`;
    return text.split('\n').find((l) => pick.test(l))?.trim() ?? 'not installed';
  }
}

function debVersion(pkg: string): string {
  return firstLine('dpkg-query', ['-W', '-f=${Version}', pkg]);
}

export function machineInfo(): MachineInfo {
  return {
    nproc: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memMiB: Math.round(os.totalmem() / 2 ** 20),
    kernel: os.release(),
    loadAvg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    versions: {
      node: process.version,
      'kea-dhcp4': debVersion('kea-dhcp4-server'),
      perfdhcp: debVersion('kea-admin'),
      dnsmasq: debVersion('dnsmasq-base'),
      'tftpd-hpa': debVersion('tftpd-hpa'),
      nginx: debVersion('nginx-light'),
      curl: debVersion('curl'),
      atftp: debVersion('atftp'),
      // Not a package here: its .deb conflicts with tftpd-hpa, so bench.sh unpacks only the program.
      atftpd: firstLine('atftpd', ['--version'], /atftp/),
      wrk: debVersion('wrk'),
    },
  };
}
