import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { BootEvent } from '../events/boot-event.js';
import { loadConfigFile } from '../config/load.js';
import type { BootfleetConfig } from '../config/schema.js';
import { reloadConfig, restartOnlyChanges, type Reloadable } from './config-reload.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bootfleet-reload-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'bootfleet.yaml');

const BASE = `interfaces:
  - name: lo
dhcp:
  probeSeconds: 0
boot:
  defaultProfile: a
profiles:
  a: { kernel: a }
  b: { kernel: b }
machines:
  - mac: 52:54:00:00:00:01
    profile: a
`;

function load(text: string): BootfleetConfig {
  writeFileSync(file, text);
  const r = loadConfigFile(file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

/** A stand-in for Bootfleet that records what it is asked to apply. */
function fakeApp(config: BootfleetConfig): Reloadable & { emitted: BootEvent[]; appliedList: BootfleetConfig[] } {
  const emitted: BootEvent[] = [];
  const appliedList: BootfleetConfig[] = [];
  return {
    config,
    get appliedConfig() {
      return appliedList.at(-1) ?? config;
    },
    events: { emit: (e) => emitted.push(e) },
    emitted,
    appliedList,
    applyLiveConfig: async (next) => {
      appliedList.push(next);
      return { profiles: { put: 0, deleted: 0 }, groups: { put: 0, deleted: 0 }, machines: { put: 1, deleted: 0 }, warnings: [] };
    },
  };
}

test('restartOnlyChanges lists what a reload cannot apply, never the fleet or boot.defaultProfile', () => {
  const running = load(BASE);
  const next = load(BASE.replace('probeSeconds: 0', 'probeSeconds: 1').replace('defaultProfile: a', 'defaultProfile: b\n  uefi: snponly.efi').replace('profile: a', 'profile: b').replace('- name: lo', '- name: lo\n    mode: proxy'));
  assert.deepEqual(restartOnlyChanges(running, next), ['boot.uefi', 'dhcp.probeSeconds', 'interfaces']);
  assert.deepEqual(restartOnlyChanges(running, load(BASE)), []);
});

test('a valid config is applied: config.reload says what changed and what needs a restart', async () => {
  const app = fakeApp(load(BASE));
  const r = await reloadConfig(app, (writeFileSync(file, BASE.replace('profile: a', 'profile: b').replace('probeSeconds: 0', 'probeSeconds: 2').replace('defaultProfile: a', 'defaultProfile: b')), file));
  assert.ok(r.ok);
  assert.equal(app.appliedList.length, 1);
  const e = app.emitted.find((x) => x.kind === 'config.reload');
  assert.match(e?.msg ?? '', /machine 52:54:00:00:00:01 changed, boot\.defaultProfile a → b; needs restart \(not applied\): dhcp\.probeSeconds/);
});

test('an invalid config is not applied: config.reload-failed lists every problem with file and line', async () => {
  const app = fakeApp(load(BASE));
  writeFileSync(file, BASE.replace('profile: a', 'profile: nope').replace('defaultProfile: a', 'defaultProfile: gone'));
  const r = await reloadConfig(app, file);
  assert.equal(r.ok, false);
  assert.equal(app.appliedList.length, 0);
  const e = app.emitted.find((x) => x.kind === 'config.reload-failed');
  const problems = String(e?.data?.['problems']).split('\n');
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, new RegExp(`^${file}:6:\\d+: boot\\.defaultProfile: `));
  assert.match(problems[1]!, new RegExp(`^${file}:12:\\d+: machines\\[0\\]\\.profile: `));
});
