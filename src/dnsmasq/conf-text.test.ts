import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfText } from './conf-text.js';
import { unhide } from './text.js';

function entries(text: string): [string, string | null][] {
  const r = readConfText(text, '/etc/dnsmasq.conf');
  assert.deepEqual(r.problems, []);
  return r.entries.map((e) => [e.name, e.arg === null ? null : unhide(e.arg)]);
}

test('name=value, bare flags, blank lines and comments', () => {
  assert.deepEqual(entries('# comment\n\ndhcp-range=198.18.0.10,198.18.0.20\n   log-dhcp   \n'), [
    ['dhcp-range', '198.18.0.10,198.18.0.20'],
    ['log-dhcp', null],
  ]);
});

test('spaces around = and at both ends are dropped; tabs count as spaces', () => {
  assert.deepEqual(entries('dhcp-boot = pxelinux.0\n\tport\t=\t0\t'), [
    ['dhcp-boot', 'pxelinux.0'],
    ['port', '0'],
  ]);
});

test('# starts a comment only at the start of a word', () => {
  assert.deepEqual(entries('dhcp-boot=net:#gpxe,file.0 # old gPXE form\ndhcp-option=tag:!x,17,a#b'), [
    ['dhcp-boot', 'net:#gpxe,file.0'],
    ['dhcp-option', 'tag:!x,17,a#b'],
  ]);
});

test('quotes keep commas, dots, colons and # literal, and allow escapes', () => {
  const r = readConfText('dhcp-option=66,"1.2.3.4"\npxe-prompt="Press F8, then # \\"go\\"\\t!",10', 'f');
  const [a, b] = r.entries;
  assert.equal(unhide(a?.arg ?? ''), '66,1.2.3.4');
  // The quoted part is hidden from later splitting: only the first comma separates fields.
  assert.equal(a?.arg?.split(',').length, 2);
  assert.equal(unhide(b?.arg ?? ''), 'Press F8, then # "go"\t!,10');
});

test('a quote left open is a problem naming file and line; other lines still count', () => {
  const r = readConfText('log-dhcp\ndhcp-option=17,"iscsi:1.2.3.4\nport=0', '/x.conf');
  assert.equal(r.entries.length, 2);
  assert.deepEqual(r.problems.map((p) => [p.at.file, p.at.line, p.directive, p.code]), [['/x.conf', 2, 'dhcp-option', 'DNSMASQ_UNCLOSED_QUOTE']]);
});

test('the character after a closing quote is plain, even another quote (as in dnsmasq)', () => {
  assert.equal(readConfText('x="a""b"', 'f').problems.length, 1);
  assert.equal(unhide(readConfText('x="a"b', 'f').entries[0]?.arg ?? ''), 'ab');
});

test('CRLF line ends', () => {
  assert.deepEqual(entries('port=0\r\nlog-dhcp\r\n'), [
    ['port', '0'],
    ['log-dhcp', null],
  ]);
});

test('line numbers count every line', () => {
  const r = readConfText('\n# x\n\nport=0', 'f');
  assert.equal(r.entries[0]?.at.line, 4);
});
