/**
 * atftpd as the bench starts it, over a real lane: it answers only on the lane's server
 * address, grants RFC 7440 windowsize (the reason it is a peer) and serves the bytes
 * unchanged, and stop() ends it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canUseNetns, destroyAll } from '../../lab/netns.js';
import { have, runIn } from '../exec.js';
import { createLane, LANE } from '../lane.js';
import { startAtftpd } from './atftpd.js';


const skip = !canUseNetns() ? 'needs root and iproute2 (network namespaces)' : !have('atftpd') || !have('atftp') ? 'atftpd or atftp not installed (scripts/bench.sh)' : false;
after(() => destroyAll());

test('atftpd in a lane: bound to the server address, grants windowsize, right bytes, stops by PID', { skip, timeout: 60_000 }, async () => {
  const work = mkdtempSync(path.join(tmpdir(), 'atftpd-net-'));
  const lane = createLane('atftpdt');
  try {
    const root = path.join(work, 'root');
    mkdirSync(root, { mode: 0o755 });
    const content = randomBytes(300_000);
    writeFileSync(path.join(root, 'f.bin'), content, { mode: 0o644 });
    const server = await startAtftpd({ ns: lane.server, dir: work, root });
    try {
      const bound = lane.server.run('ss', ['-Hnul', 'sport = :69']);
      assert.match(bound, new RegExp(`${LANE.serverAddr.replaceAll('.', '\\.')}:69`));
      assert.doesNotMatch(bound, /(0\.0\.0\.0|\*|\[::\]):69/, 'must not listen on every address');

      const out = path.join(work, 'out.bin');
      const r = await runIn(lane.client, 'atftp', ['--trace', '--option', 'blksize 1468', '--option', 'windowsize 8', '-g', '-r', 'f.bin', '-l', out, LANE.serverAddr], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      // atftp traces the server's OACK with the options it granted.
      assert.match(r.stdout + r.stderr, /OACK.*windowsize[:= ]+8/i, r.stdout + r.stderr);
      assert.ok(readFileSync(out).equals(content), 'downloaded bytes differ');
    } finally {
      await server.stop();
    }
    assert.throws(() => process.kill(server.pid, 0), 'atftpd still running after stop()');
  } finally {
    await lane.destroy();
    rmSync(work, { recursive: true, force: true });
  }
});
