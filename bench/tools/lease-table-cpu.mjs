// usage: node bench/tools/lease-table-cpu.mjs <layout> <rows> [page size]
// CPU per lease row written the way the lease writer writes them (72-row commits, 16 rows per upsert statement,
// WAL, synchronous=FULL, the lease_generation trigger), into a table that already holds <rows> leases, at random
// addresses. Layouts: v1 (migration 1 as shipped: rowid, UNIQUE client_id, mac and expiry indexes), rowid (v1
// without the two indexes), clustered (WITHOUT ROWID on address, no UNIQUE: what the store opens today).
// CHECKPOINT_PAGES=n sets wal_autocheckpoint (default 1 000, as the writer). Files go under /var/tmp/lease-table-cpu
// (removed first). Compare layouts in one sitting: absolute figures drift.
import Database from 'libsql';
import { mkdirSync, rmSync } from 'node:fs';

const [layout, rowsText, pageText] = process.argv.slice(2);
const rows = Number(rowsText ?? 1000);
const pageSize = Number(pageText ?? 4096);
const COLUMNS = `address TEXT PRIMARY KEY, address_num INTEGER NOT NULL, client_id TEXT%UNIQUE%, mac TEXT, state TEXT NOT NULL,
  expires_at INTEGER NOT NULL, hostname TEXT, updated_at INTEGER NOT NULL`;
const layouts = {
  v1: `CREATE TABLE leases (${COLUMNS.replace('%UNIQUE%', ' UNIQUE')});
    CREATE INDEX leases_mac ON leases (mac);
    CREATE INDEX leases_held_expiry ON leases (expires_at) WHERE state IN ('offered', 'bound', 'declined');`,
  rowid: `CREATE TABLE leases (${COLUMNS.replace('%UNIQUE%', ' UNIQUE')});`,
  clustered: `CREATE TABLE leases (${COLUMNS.replace('%UNIQUE%', '')}) WITHOUT ROWID;`,
};
if (!(layout in layouts) || !(rows > 0)) {
  console.error(`usage: lease-table-cpu.mjs <${Object.keys(layouts).join('|')}> <rows> [page size]`);
  process.exit(2);
}
const dir = `/var/tmp/lease-table-cpu/${layout}-${rows}-${pageSize}`;
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const db = new Database(`${dir}/bootfleet.db`);
db.pragma(`page_size = ${pageSize}`);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma(`wal_autocheckpoint = ${Number(process.env.CHECKPOINT_PAGES ?? 1000)}`);
db.exec(layouts[layout]);
db.exec(`CREATE TABLE lease_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
  INSERT INTO lease_generation VALUES (1, 0);
  CREATE TRIGGER gi AFTER INSERT ON leases BEGIN UPDATE lease_generation SET n = n + 1 WHERE id = 1; END;
  CREATE TRIGGER gu AFTER UPDATE ON leases BEGIN UPDATE lease_generation SET n = n + 1 WHERE id = 1; END;`);

const UPSERT = `ON CONFLICT (address) DO UPDATE SET client_id = excluded.client_id, mac = excluded.mac, state = excluded.state,
  expires_at = excluded.expires_at, hostname = excluded.hostname, updated_at = excluded.updated_at`;
const statements = [];
for (let n = 1; n <= 16; n++) {
  const values = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  statements[n] = db.prepare(`INSERT INTO leases (address, address_num, client_id, mac, state, expires_at, hostname, updated_at) VALUES ${values} ${UPSERT}`);
}
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const BASE = ((198 << 24) | (19 << 16)) >>> 0;
const address = (i) => {
  const v = BASE + 10 + i;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
};
const mac = (c) => ['02', '00', ...[c >>> 24, (c >>> 16) & 255, (c >>> 8) & 255, c & 255].map((x) => x.toString(16).padStart(2, '0'))].join(':');
const row = (i, client, now) => [address(i), BASE + 10 + i, `01${mac(client).replaceAll(':', '')}`, mac(client), 'bound', now + 3_600_000, null, now];

function commitRows(batch) {
  begin.run();
  for (let done = 0; done < batch.length; ) {
    const n = Math.min(16, batch.length - done);
    statements[n].run(batch.slice(done, done + n).flat());
    done += n;
  }
  commit.run();
}

let now = Date.now();
const all = Array.from({ length: rows }, (_, i) => row(i, i, now));
for (let i = 0; i < all.length; i += 1000) commitRows(all.slice(i, i + 1000));
db.exec('PRAGMA wal_checkpoint(TRUNCATE)');

const PER_COMMIT = 72;
const COMMITS = 600;
const before = process.cpuUsage();
for (let c = 0; c < COMMITS; c++) {
  now += 7;
  const seen = new Set();
  const batch = [];
  while (batch.length < PER_COMMIT) {
    const i = Math.floor(Math.random() * rows);
    if (seen.has(i)) continue;
    seen.add(i);
    // Half renew their lease, half are an address going to another client.
    batch.push(row(i, Math.random() < 0.5 ? i : i + rows * (1 + c), now));
  }
  commitRows(batch);
}
const used = process.cpuUsage(before);
const per = (us) => (us / (COMMITS * PER_COMMIT)).toFixed(2);
console.log(`${layout}, ${rows} rows, page ${pageSize}: user ${per(used.user)} + sys ${per(used.system)} µs per row written`);
db.close();
rmSync(dir, { recursive: true, force: true });
