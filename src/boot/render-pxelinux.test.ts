import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pxelinuxProfileSchema } from '../config/schema.js';
import { renderPxelinuxConfig } from './render-pxelinux.js';
import { testContext } from './render-test-context.js';

const menu = (extra: Record<string, unknown> = {}): ReturnType<typeof pxelinuxProfileSchema.parse> =>
  pxelinuxProfileSchema.parse({
    kind: 'pxelinux',
    entries: [
      { label: 'install', menuLabel: 'Install {{ hostname }}', kernel: 'debian/linux', initrd: ['debian/initrd.gz'], append: 'auto=true hostname={{ hostname }}' },
      { label: 'rescue', kernel: 'vmlinuz', append: '' },
    ],
    ...extra,
  });

test('PXELINUX config: no prompt and no timeout boots the default (the first entry) at once', () => {
  const r = renderPxelinuxConfig(menu(), testContext('m'));
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.equal(
    r.text,
    [
      '# bootfleet: profile m for 52:54:00:12:34:56',
      'PROMPT 0',
      'DEFAULT install',
      '',
      'LABEL install',
      '  MENU LABEL Install db-1',
      '  KERNEL debian/linux',
      '  INITRD debian/initrd.gz',
      '  APPEND auto=true hostname=db-1',
      '',
      'LABEL rescue',
      '  KERNEL vmlinuz',
      '',
    ].join('\n'),
  );
});

test('PXELINUX config: a timeout prompts; a menu title uses menu.c32 and never waits forever', () => {
  const prompt = renderPxelinuxConfig(menu({ timeout: 50, default: 'rescue' }), testContext('m'));
  assert.ok(prompt.ok);
  assert.deepEqual(prompt.text.split('\n').slice(1, 4), ['PROMPT 1', 'TIMEOUT 50', 'DEFAULT rescue']);
  const ui = renderPxelinuxConfig(menu({ menuTitle: 'Rack {{ labels.rack }}' }), testContext('m'));
  assert.ok(ui.ok);
  assert.deepEqual(ui.text.split('\n').slice(1, 5), ['UI menu.c32', 'MENU TITLE Rack 3', 'TIMEOUT 1', 'DEFAULT install']);
});

test('PXELINUX config: a default naming no entry, or a bad template, is an error naming the field', () => {
  const noEntry = renderPxelinuxConfig(menu({ default: 'nope' }), testContext('m'));
  assert.ok(!noEntry.ok);
  assert.match(noEntry.error, /profile m: default: "nope" names no entry \(entries: install, rescue\)/);
  const spec = menu();
  spec.entries[1]!.append = 'x={{ labels.rack | bogus }}';
  const bad = renderPxelinuxConfig(spec, testContext('m'));
  assert.ok(!bad.ok);
  assert.match(bad.error, /profile m: entries\[1\]\.append, line 1, column 3: unknown filter "bogus"/);
});
