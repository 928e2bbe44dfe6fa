import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ipToNumber, numberToIp } from './ipv4-math.js';

/** The parser as it was (split and a RegExp per part): the fast one must agree with it on every string. */
function reference(ip: string): number | 'throws' {
  const parts = ip.split('.');
  if (parts.length !== 4) return 'throws';
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return 'throws';
    n = n * 256 + v;
  }
  return n;
}

function parsed(ip: string): number | 'throws' {
  try {
    return ipToNumber(ip);
  } catch (e) {
    assert.ok(e instanceof RangeError);
    return 'throws';
  }
}

test('ipToNumber parses dotted quads and refuses everything else, as the split parser did', () => {
  const cases = ['0.0.0.0', '255.255.255.255', '198.18.0.1', '01.2.3.004', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.256',
    '', '.', '1..2.3', '.1.2.3', '1.2.3.', ' 1.2.3.4', '1.2.3.4 ', '1234.1.1.1', '+1.2.3.4', '1.2.3.4\n', '1.2.3.-4', '1e2.0.0.1'];
  for (const c of cases) assert.equal(parsed(c), reference(c), c);
  assert.equal(ipToNumber('198.18.0.1'), 0xc6120001);
});

test('ipToNumber agrees with the split parser on random strings of digits and dots', () => {
  const chars = fc.constantFrom('0', '1', '2', '5', '9', '.', '.', 'x', ' ');
  fc.assert(fc.property(fc.array(chars, { maxLength: 18 }).map((a) => a.join('')), (s) => parsed(s) === reference(s)), { numRuns: 20_000 });
});

test('numberToIp and ipToNumber round-trip every 32-bit number', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => ipToNumber(numberToIp(n)) === n));
});
