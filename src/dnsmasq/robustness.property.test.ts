/**
 * Hostile input never escapes as an exception: any config text gives directives and problems;
 * any decodable request gives a prediction under every corpus configuration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { decodeDhcp } from '../wire/dhcp/codec.js';
import { CATALOGUE } from './option-catalogue.js';
import { loadDnsmasqConfFile, parseDnsmasqConfText } from './load.js';
import { buildModel } from './model.js';
import { LeaseBook, predictReply } from './predict-reply.js';
import { replayClients } from './oracle/replay-requests.js';

const CORPUS = fileURLToPath(new URL('../../test/dnsmasq/', import.meta.url));
const NAMES = [...CATALOGUE.keys()].filter((n) => n !== 'conf-file' && n !== 'conf-dir');
const VALUE_CHARS = fc.constantFrom(...'0123456789abcdefABCDEF.:,*!#/-" =\\tagsetnr:xyz'.split(''), 'tag:', 'set:', 'net:', 'option:', 'encap:', 'vendor:', 'vi-encap:');

test('any config text parses to directives and problems, never an exception', () => {
  const line = fc.oneof(
    fc.string(),
    fc.tuple(fc.constantFrom(...NAMES), fc.array(VALUE_CHARS, { maxLength: 30 })).map(([n, v]) => `${n}=${v.join('')}`),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), (lines) => {
      const r = parseDnsmasqConfText(lines.join('\n'), 'fuzz.conf');
      assert.ok(Array.isArray(r.directives) && Array.isArray(r.problems));
    }),
    { numRuns: 2000 },
  );
});

test('any request gets a prediction under every corpus configuration', () => {
  const models = readdirSync(CORPUS)
    .filter((f) => f.endsWith('.conf'))
    .map((f) => buildModel(loadDnsmasqConfFile(`${CORPUS}${f}`).directives));
  const captured = replayClients().flatMap((c) => [c.discover, c.request]);
  // Captured requests with random bytes flipped: still decodable, full of odd options.
  const mutated = fc
    .tuple(fc.constantFrom(...captured), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }))
    .map(([base, flips]) => {
      const b = Buffer.from(base);
      for (const [at, v] of flips) b[240 + (at % Math.max(1, b.length - 240))] = v;
      return b;
    });
  fc.assert(
    fc.property(mutated, (bytes) => {
      const d = decodeDhcp(bytes);
      if (!d.ok) return;
      for (const m of models) predictReply(m, d.packet, { name: 'bf0', address: '198.18.0.2', prefixLength: 24 }, new LeaseBook());
    }),
    { numRuns: 500 },
  );
});
