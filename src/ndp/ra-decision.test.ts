import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRa, type RsSituation } from './ra-decision.js';
import { DEFAULT_RA_TIMING as T } from './ra-timing.js';

const base: RsSituation = {
  now: 100_000,
  firstSolicitAt: 100_000 - T.holdoffMs,
  answeringFrom: 50_000,
  routerSeen: null,
  hostForwards: false,
  sighting: { at: 99_000, answered: false },
};

test('decision table', () => {
  const rows: Array<[string, Partial<RsSituation>, string]> = [
    ['iPXE client, quiet over, holdoff over: answer', {}, 'send'],
    ['holdoff not over: wait for a real router to answer first', { firstSolicitAt: 99_500 }, 'wait'],
    ['another router advertised an hour ago minus a second: silent', { routerSeen: { at: 100_000 - T.routerMemoryMs + 1000, from: 'fe80::1' } }, 'silent'],
    ['another router advertised more than an hour ago: answer', { routerSeen: { at: 100_000 - T.routerMemoryMs - 1, from: 'fe80::1' } }, 'send'],
    ['this host forwards IPv6: silent', { hostForwards: true }, 'silent'],
    ['already answered this exchange: silent', { sighting: { at: 99_000, answered: true } }, 'silent'],
    ['no iPXE sighting yet: wait', { sighting: null }, 'wait'],
    ['no iPXE sighting until the deadline: silent', { sighting: null, firstSolicitAt: 100_000 - T.pendingMaxMs }, 'silent'],
    ['sighting too old (a later OS boot, say): wait, then silent', { sighting: { at: 100_000 - T.holdoffMs - T.sightingWindowMs - 1, answered: false } }, 'wait'],
    ['sighting after the solicitation (DHCP and IPv6 run side by side): answer', { sighting: { at: 100_000, answered: false } }, 'send'],
    ['our own solicitations not sent yet: wait', { answeringFrom: null }, 'wait'],
    ['start-up listening not over: wait', { answeringFrom: 100_500 }, 'wait'],
    ['start-up listening outlasts the deadline: silent', { answeringFrom: 200_000, firstSolicitAt: 100_000 - T.pendingMaxMs }, 'silent'],
  ];
  for (const [name, change, kind] of rows) assert.equal(decideRa({ ...base, ...change }, T).kind, kind, name);
});

test('a wait names when to look again', () => {
  const d = decideRa({ ...base, firstSolicitAt: 99_500 }, T);
  assert.deepEqual(d.kind === 'wait' ? d.until : null, 99_500 + T.holdoffMs);
  const q = decideRa({ ...base, answeringFrom: 100_700 }, T);
  assert.deepEqual(q.kind === 'wait' ? q.until : null, 100_700);
  const s = decideRa({ ...base, sighting: null }, T);
  assert.deepEqual(s.kind === 'wait' ? s.until : null, base.firstSolicitAt + T.pendingMaxMs);
});
