import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressTexts } from './address-texts.js';

test('AddressTexts gives the text its maker makes, made once per address and variant', () => {
  let made = 0;
  const texts = new AddressTexts((a, v) => {
    made++;
    return `REQUEST ${a} (${['selecting', 'init-reboot', 'renewing'][v]})`;
  }, 3);
  const first = texts.text('198.18.0.10', 0);
  assert.equal(first, 'REQUEST 198.18.0.10 (selecting)');
  assert.equal(texts.text('198.18.0.10', 0), first);
  assert.equal(made, 1, 'shared, not made again');
  assert.equal(texts.text('198.18.0.10', 2), 'REQUEST 198.18.0.10 (renewing)');
  assert.equal(texts.text('198.18.0.11', 0), 'REQUEST 198.18.0.11 (selecting)');
  assert.equal(made, 3);
  // Not an address, or a variant out of range: made each time, never memoised under another key.
  assert.equal(texts.text('not-an-ip', 0), 'REQUEST not-an-ip (selecting)');
  assert.equal(texts.text('198.18.0.10', 3), 'REQUEST 198.18.0.10 (undefined)');
  assert.equal(texts.text('198.18.0.10', 0), first);
  // Another spelling of the same address (an imported dnsmasq lease file may have one) keeps its own.
  assert.equal(texts.text('198.18.0.010', 0), 'REQUEST 198.18.0.010 (selecting)');
  assert.equal(texts.text('198.18.0.10', 0), 'REQUEST 198.18.0.10 (selecting)');
});

test('AddressTexts keeps every address of a /16 apart', () => {
  const texts = new AddressTexts((a) => `OFFER ${a}`);
  for (let i = 0; i < 65_536; i++) texts.text(`198.18.${i >> 8}.${i & 255}`);
  for (let i = 0; i < 65_536; i += 257) assert.equal(texts.text(`198.18.${i >> 8}.${i & 255}`), `OFFER 198.18.${i >> 8}.${i & 255}`);
});
