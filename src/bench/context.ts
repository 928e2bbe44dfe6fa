/**
 * What every benchmark is handed: the mode, the run's directories, the test files, the
 * repetition counts and durations, and a deadline that bounds the whole run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface TestFile {
  /** Name under the files directory (= path in TFTP and HTTP URLs). */
  name: string;
  bytes: number;
  sha256: string;
}

/** One DHCP case: a pool, how many distinct clients perfdhcp plays, and how many leases exist before it starts. */
export interface DhcpCaseSpec {
  pool: number;
  clients: number;
  /** Leases for other machines, written before the server starts, at the top of the pool. */
  preload: number;
}

/** Sizes and counts for one mode. */
export interface BenchPlan {
  tftpFileBytes: number;
  tftpConcurrentFileBytes: number;
  tftpConcurrency: number[];
  tftpBlksizes: number[];
  atftpCases: { blksize: number; windowsize: number | null }[];
  httpFileBytes: number;
  /** Repetitions of each single-transfer case (median of these). */
  reps: number;
  concurrentReps: number;
  wrkSeconds: number;
  dhcpCases: DhcpCaseSpec[];
  dhcpRates: number[];
  /** Seconds perfdhcp runs at each rate. */
  dhcpSeconds: number;
  /** Whole-run bound. */
  deadlineSeconds: number;
}

const MiB = 2 ** 20;

export const FULL_PLAN: BenchPlan = {
  tftpFileBytes: 64 * MiB,
  tftpConcurrentFileBytes: 8 * MiB,
  tftpConcurrency: [20, 100],
  tftpBlksizes: [512, 1468, 8192, 65464],
  atftpCases: [
    { blksize: 1468, windowsize: null },
    { blksize: 1468, windowsize: 8 },
    { blksize: 8192, windowsize: null },
    { blksize: 8192, windowsize: 8 },
  ],
  httpFileBytes: 256 * MiB,
  reps: 3,
  concurrentReps: 3,
  wrkSeconds: 5,
  dhcpCases: [
    { pool: 1000, clients: 1000, preload: 0 },
    { pool: 60000, clients: 60000, preload: 0 },
    // A lease table that starts full: where dnsmasq's rewrite-the-file-per-change shows.
    { pool: 60000, clients: 10000, preload: 50000 },
  ],
  // Steps of 1 000 from 8 000 on: near the top a 20 % step made a ratio of 0.83 out of anything between 0.83 and 1.
  dhcpRates: [50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 9000, 10000, 11000, 12000, 13000, 14000, 15000, 17500, 20000],
  dhcpSeconds: 5,
  deadlineSeconds: 45 * 60,
};

/** Small enough for CI (well under a minute): checks the harness and correctness, not speed. */
export const SMOKE_PLAN: BenchPlan = {
  tftpFileBytes: 2 * MiB,
  tftpConcurrentFileBytes: 1 * MiB,
  tftpConcurrency: [5],
  tftpBlksizes: [1468],
  atftpCases: [{ blksize: 1468, windowsize: 8 }],
  httpFileBytes: 8 * MiB,
  reps: 1,
  concurrentReps: 1,
  wrkSeconds: 1,
  dhcpCases: [{ pool: 300, clients: 200, preload: 100 }],
  dhcpRates: [50],
  dhcpSeconds: 2,
  deadlineSeconds: 150,
};

export interface BenchContext {
  mode: 'full' | 'smoke';
  plan: BenchPlan;
  /** On a real disk: configs, logs, bootfleet's lease database. */
  workDir: string;
  /** On tmpfs: served files, downloads, peers' lease files. */
  shmDir: string;
  /** Served by every TFTP and HTTP server. */
  filesDir: string;
  files: { tftp: TestFile; tftpConcurrent: TestFile; http: TestFile };
  log(line: string): void;
  /** Throws once the run's time is up, so a run always ends. */
  checkDeadline(): void;
}

/** Writes `bytes` of random data to `dir/name` and returns its description. */
export function makeTestFile(dir: string, name: string, bytes: number): TestFile {
  const fd = openSync(path.join(dir, name), 'w', 0o644);
  const hash = createHash('sha256');
  try {
    for (let done = 0; done < bytes; ) {
      const chunk = randomBytes(Math.min(4 * MiB, bytes - done));
      writeSync(fd, chunk);
      hash.update(chunk);
      done += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return { name, bytes, sha256: hash.digest('hex') };
}

/** SHA-256 of a file, streamed. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
