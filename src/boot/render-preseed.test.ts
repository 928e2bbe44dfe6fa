import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderPreseed } from './render-preseed.js';
import { testContext } from './render-test-context.js';

test('preseed: values on their line; shell words single-quoted; the callback URL while installing', () => {
  const preseed = [
    'd-i netcfg/get_hostname string {{ hostname }}',
    'd-i preseed/late_command string in-target sh -c {{ labels.note | shell }}; wget -q -O- {{ installDoneUrl | shell }}',
  ].join('\n');
  const r = renderPreseed({ kind: 'debian-installer', kernel: 'k', initrd: [], cmdline: '', preseed }, testContext('deb', { labels: { note: "it's done" }, installToken: 'T'.repeat(43) }));
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(
    r.text,
    [
      'd-i netcfg/get_hostname string db-1',
      `d-i preseed/late_command string in-target sh -c 'it'\\''s done'; wget -q -O- 'http://198.18.0.2:8080/install/52-54-00-12-34-56/done?token=${'T'.repeat(43)}'`,
      '',
    ].join('\n'),
  );
});
