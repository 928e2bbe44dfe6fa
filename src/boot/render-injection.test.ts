/**
 * Injection tests: hostile hostnames and labels rendered into every template kind. Each output is
 * read back the way its consumer reads it (iPXE's tokenizer as in src/core/exec.c, PXELINUX and
 * preseed line by line, the shell, a YAML parser), and must have exactly the shape it has with
 * harmless values: the same commands, directives, parameters and keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { profileSchema } from '../config/schema.js';
import type { ProfileSpec } from '../fleet/group.js';
import { renderBootScript } from './render-boot-script.js';
import { renderCloudInit } from './render-cloud-init.js';
import { renderPreseed } from './render-preseed.js';
import { renderPxelinuxConfig } from './render-pxelinux.js';
import { testContext } from './render-test-context.js';
import type { RenderContext } from './render-fields.js';

/** Payloads are harmless if they ever ran (`echo INJECTED`), so a failure here cannot hurt the host. */
const HOSTILE = [
  'x; echo INJECTED',
  'x || echo INJECTED',
  '|| echo INJECTED',
  '&&',
  ';',
  '#comment',
  'a\necho INJECTED',
  'a\r\nkernel http://198.18.0.9/evil',
  '${net0/mac}',
  '${${x}}',
  '$(echo INJECTED)',
  '`echo INJECTED`',
  "'; echo INJECTED; '",
  '"; echo INJECTED; "',
  'a\\',
  'a\\\necho INJECTED',
  '\u2028echo INJECTED',
  '}}{{ mac }}',
  'key: value\n- item',
  '  leading and trailing  ',
  '\t',
  'ünïcödé 😀',
];
const BENIGN = 'v';

const everyVar = '{{ hostname }} {{ labels.a }} x={{ labels.a }} {{ labels.b | lower }} {{ labels.a | url }}';

const profiles: Record<string, ProfileSpec> = {
  linux: profileSchema.parse({ kernel: 'k/{{ labels.a }}', initrd: ['i/{{ hostname }}', '{{ labels.b }}'], cmdline: `console=ttyS0 ${everyVar}` }),
  chain: profileSchema.parse({ kind: 'chain', url: '{{ labels.a }}' }),
  chainPath: profileSchema.parse({ kind: 'chain', url: 'menus/{{ hostname }}.ipxe?rack={{ labels.a }}' }),
  sanboot: profileSchema.parse({ kind: 'sanboot', rootPath: '{{ labels.a }}', keepSan: true }),
  pxelinux: profileSchema.parse({
    kind: 'pxelinux',
    menuTitle: 'Menu {{ hostname }}',
    entries: [{ label: 'a', menuLabel: '{{ labels.a }}', kernel: 'k/{{ labels.a }}', initrd: ['{{ hostname }}'], append: everyVar }],
  }),
  debian: profileSchema.parse({
    kind: 'debian-installer',
    kernel: 'linux',
    initrd: ['initrd.gz'],
    cmdline: everyVar,
    preseed: ['d-i netcfg/get_hostname string {{ hostname }}', 'd-i passwd/user-fullname string {{ labels.a }}', "d-i preseed/late_command string printf '[%s]' {{ labels.a | shell }} {{ hostname | shell }}", 'd-i finish-install/reboot_in_progress note'].join('\n'),
  }),
  cloudInit: profileSchema.parse({
    kind: 'cloud-init',
    kernel: 'vmlinuz',
    cmdline: everyVar,
    userData: { hostname: '{{ hostname }}', runcmd: [['echo', '{{ labels.a }}'], 'echo {{ labels.b }}'], write_files: [{ path: '/etc/note', content: '{{ labels.a }}\n' }] },
    metaData: { note: '{{ labels.b }}' },
  }),
};

function ctx(value: string): RenderContext {
  return testContext('p', { hostname: value, labels: { a: value, b: value } });
}

/** iPXE's reading of a script (exec.c): whitespace-split tokens; `#…` ends the line; `||`, `&&`, `;` end a command. */
function ipxeShape(script: string): { commands: string[]; expansions: string[] } {
  const commands: string[] = [];
  const expansions: string[] = [];
  for (const line of script.split('\n')) {
    let current: string[] = [];
    const flush = (): void => {
      if (current.length) commands.push(`${current[0]}/${current.length}`);
      current = [];
    };
    for (const token of line.split(/[ \t\n\v\f\r]+/).filter(Boolean)) {
      if (token.startsWith('#')) break;
      if (token === '||' || token === '&&' || token === ';') {
        flush();
        continue;
      }
      current.push(token);
      if (token.includes('${')) expansions.push(token.replace(/^.*?(\$\{[^}]*\}).*$/, '$1'));
    }
    flush();
  }
  return { commands, expansions };
}

/** Directive lines of a line-based file: each line's first word, and how many words it has. */
function lineShape(text: string): string[] {
  return text.split('\n').map((l) => {
    const words = l.trim().split(/\s+/).filter(Boolean);
    return `${words[0] ?? ''}/${words.length}`;
  });
}

function rendered(r: { ok: true; text: string } | { ok: false; error: string }): string {
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.text;
}

describe('hostile hostnames and labels cannot inject anything', () => {
  for (const [name, spec] of Object.entries(profiles)) {
    test(`iPXE script of a ${name} profile keeps its commands and expansions`, () => {
      const benign = ipxeShape(rendered(renderBootScript(spec, ctx(BENIGN))));
      for (const v of HOSTILE) {
        const hostile = ipxeShape(rendered(renderBootScript(spec, ctx(v))));
        assert.deepEqual(hostile, benign, `value ${JSON.stringify(v)}`);
      }
    });
  }

  test('PXELINUX config keeps its directives and APPEND parameters', () => {
    const spec = profiles['pxelinux'];
    assert.ok(spec?.kind === 'pxelinux');
    const benign = lineShape(rendered(renderPxelinuxConfig(spec, ctx(BENIGN))));
    for (const v of HOSTILE) {
      const text = rendered(renderPxelinuxConfig(spec, ctx(v)));
      const shape = lineShape(text);
      assert.equal(shape.length, benign.length, `value ${JSON.stringify(v)}: ${text}`);
      // MENU LABEL / MENU TITLE are free text (their word count may differ); every other line keeps its shape.
      shape.forEach((s, i) => {
        if (!s.startsWith('MENU/')) assert.equal(s, benign[i], `value ${JSON.stringify(v)}, line ${i + 1}: ${text}`);
      });
    }
  });

  test('preseed keeps its lines, and the shell reads each quoted value back as one word', () => {
    const spec = profiles['debian'];
    assert.ok(spec?.kind === 'debian-installer');
    const benign = rendered(renderPreseed(spec, ctx(BENIGN)));
    for (const v of HOSTILE) {
      const text = rendered(renderPreseed(spec, ctx(v)));
      const lines = text.split('\n');
      assert.equal(lines.length, benign.split('\n').length, `value ${JSON.stringify(v)}`);
      assert.deepEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), benign.split('\n').map((l) => l.split(' ').slice(0, 2).join(' ')));
      assert.ok(lines.every((l) => !l.endsWith('\\')), 'no line continues onto the next');
      const command = lines[2]?.replace(/^d-i preseed\/late_command string /, '') ?? '';
      const out = execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' } });
      const oneLine = v.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, ' ');
      assert.equal(out, `[${oneLine}][${oneLine}]`, `value ${JSON.stringify(v)}`);
    }
  });

  test('cloud-init data parses back to the same keys, each value exactly the hostile string', () => {
    const spec = profiles['cloudInit'];
    assert.ok(spec?.kind === 'cloud-init');
    for (const v of HOSTILE) {
      const user = parse(rendered(renderCloudInit(spec, 'user-data', ctx(v)))) as Record<string, unknown>;
      assert.deepEqual(user, { hostname: v, runcmd: [['echo', v], `echo ${v}`], write_files: [{ path: '/etc/note', content: `${v}\n` }] }, `value ${JSON.stringify(v)}`);
      const meta = parse(rendered(renderCloudInit(spec, 'meta-data', ctx(v)))) as Record<string, unknown>;
      assert.deepEqual(meta, { 'instance-id': 'bootfleet-525400123456', 'local-hostname': v, note: v });
    }
  });

  test('a kernel command line keeps its parameters (as the kernel splits them)', () => {
    const spec = profiles['linux'];
    assert.ok(spec && (spec.kind === undefined || spec.kind === 'linux'));
    const kernelArgs = (text: string): string[] => (text.split('\n').find((l) => l.startsWith('kernel ')) ?? '').split(' || ')[0]!.split(' ').slice(2);
    const benign = kernelArgs(rendered(renderBootScript(spec, ctx(BENIGN))));
    for (const v of HOSTILE) {
      const args = kernelArgs(rendered(renderBootScript(spec, ctx(v))));
      assert.equal(args.length, benign.length, `value ${JSON.stringify(v)}: ${args.join(' ')}`);
      assert.ok(args.every((a) => !/["'$\\{}]/.test(a)), `value ${JSON.stringify(v)}: ${args.join(' ')}`);
    }
  });
});
