import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { encodeUrlComponent, escapeCmdlineValue, escapeIpxeText, escapePreseedValue, escapePxelinuxText, escapeUrlValue, shellQuote } from './escape.js';

/** Any text, astral planes and control characters included (no lone surrogates: not text). */
const anyText = fc.string({ unit: 'grapheme', maxLength: 60 });
const HOSTILE = ['x; reboot', 'a\nkernel http://evil/x', '|| reboot', '&& reboot', ';', '#x', '${net0/mac}', '$(reboot)', '`reboot`', "it's", '"quoted value"', 'a\\', 'tab\there', '\u2028sep', 'é∂😀', '\0nul', '%0Aencoded'];

describe('escapers', () => {
  test('kernel command line: only the kept characters come out, one for one', () => {
    fc.assert(
      fc.property(anyText, (v) => {
        const out = escapeCmdlineValue(v);
        assert.match(out, /^[A-Za-z0-9\-._~/:@!*+,=?%^]*$/);
        assert.equal([...out].length, [...v].length);
      }),
    );
    assert.equal(escapeCmdlineValue('x; reboot'), 'x__reboot');
    assert.equal(escapeCmdlineValue('${net0/mac}'), '__net0/mac_');
    assert.equal(escapeCmdlineValue('db-1.lab:8080/a?b=c'), 'db-1.lab:8080/a?b=c', 'ordinary values are untouched');
  });

  test('URL values: percent-encoded, and decoding gives the value back byte for byte', () => {
    fc.assert(
      fc.property(anyText, (v) => {
        const out = escapeUrlValue(v);
        assert.match(out, /^[A-Za-z0-9\-._~/:@!*+,=?%]*$/);
        assert.equal(decodeURIComponent(out), v);
      }),
    );
    assert.equal(escapeUrlValue('a b/${x}'), 'a%20b/%24%7Bx%7D');
    assert.equal(escapeUrlValue('%0A'), '%250A', 'a value cannot smuggle an encoded line break');
    assert.equal(encodeUrlComponent("a/b c'"), 'a%2Fb%20c%27');
  });

  test('PXELINUX and preseed text stay on one line', () => {
    fc.assert(
      fc.property(anyText, (v) => {
        for (const out of [escapePxelinuxText(v), escapePreseedValue(v)]) assert.doesNotMatch(out, /[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
        assert.doesNotMatch(escapePreseedValue(v), /\\/, 'no backslash to continue a preseed line');
      }),
    );
    assert.equal(escapePxelinuxText('Lab\nMENU HIDE'), 'Lab MENU HIDE');
  });

  test('iPXE text has no syntax: no $, braces, |, &, ;, # or control characters', () => {
    fc.assert(fc.property(anyText, (v) => assert.match(escapeIpxeText(v), /^[A-Za-z0-9 .,:_/=+()@%-]*$/)));
  });

  test('a shell-quoted value is one word that sh reads back exactly (line breaks as spaces)', () => {
    const values = [...HOSTILE.filter((v) => !v.includes('\0')), "''", "'\\''", '$HOME', '*', '-n'];
    // One sh run for all of them: each word printed between markers.
    const script = values.map((v) => `printf '<%s>\\n' ${shellQuote(v)}`).join('\n');
    const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    assert.deepEqual(out.split('\n').slice(0, -1), values.map((v) => `<${v.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, ' ')}>`));
    fc.assert(
      fc.property(anyText, (v) => {
        const q = shellQuote(v);
        assert.ok(q.startsWith("'") && q.endsWith("'"));
        assert.doesNotMatch(q, /[\x00-\x1f]/);
      }),
    );
  });
});
