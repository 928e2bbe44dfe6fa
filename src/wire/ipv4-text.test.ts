import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIpv4 } from './ipv4-text.js';

test('parseIpv4 reads dotted quads and nothing else', () => {
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('198.18.0.1'), (198 << 24 >>> 0) + (18 << 16) + 1);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', 'a.b.c.d', '1.2.3.4 ', '.1.2.3']) assert.equal(parseIpv4(bad), -1, bad);
  fc.assert(
    fc.property(fc.ipV4(), (ip) => parseIpv4(ip) === ip.split('.').reduce((v, p) => v * 256 + Number(p), 0)),
  );
  fc.assert(fc.property(fc.string(), (s) => { const n = parseIpv4(s); return n === -1 || (n >= 0 && n <= 0xffffffff); }));
});
