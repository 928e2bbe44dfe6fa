import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrometheus } from './prometheus-text.js';

test('HELP, TYPE and samples, labels escaped, samples sorted', () => {
  const text = formatPrometheus([
    { name: 'bootfleet_x_total', help: 'Things.\nMore.', type: 'counter', samples: [{ labels: { code: 'B' }, value: 2 }, { labels: { code: 'A"\\\n' }, value: 1 }] },
    { name: 'bootfleet_y', help: 'A gauge.', type: 'gauge', samples: [{ value: 0.5 }, { value: NaN, labels: { q: 'nan' } }] },
  ]);
  assert.equal(
    text,
    [
      '# HELP bootfleet_x_total Things.\\nMore.',
      '# TYPE bootfleet_x_total counter',
      'bootfleet_x_total{code="A\\"\\\\\\n"} 1',
      'bootfleet_x_total{code="B"} 2',
      '# HELP bootfleet_y A gauge.',
      '# TYPE bootfleet_y gauge',
      'bootfleet_y 0.5',
      'bootfleet_y{q="nan"} NaN',
      '',
    ].join('\n'),
  );
});
