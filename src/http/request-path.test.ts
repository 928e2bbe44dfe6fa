import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { macParam, normalizeMac, parseRequestPath } from './request-path.js';

test('parseRequestPath keeps ordinary paths and drops empty and dot segments', () => {
  assert.deepEqual(parseRequestPath('/debian/linux'), { ok: true, segments: ['debian', 'linux'] });
  assert.deepEqual(parseRequestPath('//a/./b/'), { ok: true, segments: ['a', 'b'] });
  assert.deepEqual(parseRequestPath('/a%20b/c%2Bd'), { ok: true, segments: ['a b', 'c+d'] });
  assert.deepEqual(parseRequestPath('/'), { ok: true, segments: [] });
  assert.deepEqual(parseRequestPath('/..foo/bar..'), { ok: true, segments: ['..foo', 'bar..'] });
});

test('parseRequestPath refuses traversal however it is spelled', () => {
  for (const raw of ['/../etc/passwd', '/a/../../b', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E/x', '/a/..%2f..%2fetc', '/a%2f..%2f..%2fetc', '/..']) {
    const r = parseRequestPath(raw);
    assert.equal(r.ok, false, raw);
    assert.equal(r.ok ? 0 : r.status, 403, raw);
  }
  const nul = parseRequestPath('/a%00.txt');
  assert.equal(nul.ok ? 0 : nul.status, 403);
  const bad = parseRequestPath('/a%zz');
  assert.equal(bad.ok ? 0 : bad.status, 400);
});

test('normalizeMac accepts colon, dash and bare forms, nothing else', () => {
  assert.equal(normalizeMac('52:54:00:AB:CD:EF'), '52:54:00:ab:cd:ef');
  assert.equal(normalizeMac('52-54-00-ab-cd-ef'), '52:54:00:ab:cd:ef');
  assert.equal(normalizeMac('525400abcdef'), '52:54:00:ab:cd:ef');
  for (const bad of [null, undefined, '', 'zz:54:00:ab:cd:ef', '52:54:00:ab:cd', '52:54:00:ab:cd:ef:01', '52:54-00:ab:cd:ef', ' 52:54:00:ab:cd:ef', '${net0/mac}']) {
    assert.equal(normalizeMac(bad), null, String(bad));
  }
});

test('macParam reads ?mac= as URLSearchParams does, for any query', () => {
  for (const q of ['mac=52:54:00:ab:cd:ef', 'arch=7&mac=52-54-00-ab-cd-ef', 'mac', 'mac=', 'x=1', '', 'mac=a&mac=b', 'mac=%24%7Bnet0%2Fmac%7D', '?mac=1', 'mac=a+b', 'MAC=1', '&&mac=x&']) {
    assert.equal(macParam(q), new URLSearchParams(q).get('mac'), q);
  }
  const queryText = fc.stringMatching(/^[a-z0-9:=&?%+.-]{0,40}$/).map((s) => s.replace(/%(?![0-9a-f]{2})/gi, '%25'));
  fc.assert(fc.property(fc.oneof(queryText, fc.string()), (q) => macParam(q) === new URLSearchParams(q).get('mac')));
});
