/**
 * Golden tests over captured client packets: every `test/vectors/dhcp/*.bin` (one UDP payload
 * each) must decode, print exactly as `<name>.txt` beside it, and survive decode → encode →
 * decode unchanged. `BOOTFLEET_UPDATE_GOLDENS=1` rewrites the `.txt` files instead of comparing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodeDhcp, encodeDhcp } from './codec.js';
import { formatPacket } from './format.js';
import type { DhcpPacket } from './packet.js';

// Compiled to dist/wire/dhcp/; the vectors live in the source tree.
const VECTOR_DIR = fileURLToPath(new URL('../../../test/vectors/dhcp/', import.meta.url));
const UPDATE = process.env['BOOTFLEET_UPDATE_GOLDENS'] === '1';

function vectorNames(): string[] {
  if (!existsSync(VECTOR_DIR)) return [];
  return readdirSync(VECTOR_DIR).filter((f) => f.endsWith('.bin')).sort().map((f) => f.slice(0, -'.bin'.length));
}

function decoded(bytes: Uint8Array, what: string): DhcpPacket {
  const r = decodeDhcp(bytes);
  assert.ok(r.ok, r.ok ? '' : `${what}: ${r.error.code} at byte ${r.error.offset}: ${r.error.message}`);
  return r.packet;
}

const names = vectorNames();

test('DHCP vectors: test/vectors/dhcp/*.bin', async (t) => {
  if (names.length === 0) {
    t.diagnostic(`no DHCP vectors found in ${VECTOR_DIR} (nothing captured yet)`);
    return;
  }
  for (const name of names) {
    await t.test(name, () => {
      const bytes = readFileSync(join(VECTOR_DIR, `${name}.bin`));
      const packet = decoded(bytes, `${name}.bin`);
      const text = formatPacket(packet);
      const goldenPath = join(VECTOR_DIR, `${name}.txt`);
      if (UPDATE) {
        writeFileSync(goldenPath, text);
      } else {
        assert.ok(existsSync(goldenPath), `${name}.txt is missing: run with BOOTFLEET_UPDATE_GOLDENS=1 and review it`);
        assert.equal(text, readFileSync(goldenPath, 'utf8'), `${name}.txt differs (BOOTFLEET_UPDATE_GOLDENS=1 rewrites it)`);
      }
      const again = decoded(encodeDhcp(packet), `${name} re-encoded`);
      assert.deepStrictEqual(again, packet);
    });
  }
});
