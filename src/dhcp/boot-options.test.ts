import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageType } from '../wire/dhcp/packet.js';
import { getString } from '../wire/dhcp/options.js';
import { applyBootPlan } from './boot-options.js';
import { baseReply } from './reply-builder.js';
import { request } from './test-packets.js';

const ctx = (requested: number[] = []) => ({ serverAddress: '198.18.0.2', requested });
const fresh = () => baseReply(request(MessageType.Discover), MessageType.Offer, '198.18.0.2');

test('chainload-tftp: siaddr + file; 66 and 67 when requested', () => {
  const r = fresh();
  applyBootPlan(r, { kind: 'chainload-tftp', file: 'ipxe.efi', reason: '' }, ctx([66, 67]));
  assert.equal(r.siaddr, '198.18.0.2');
  assert.equal(r.file, 'ipxe.efi');
  assert.equal(getString(r.options, 66), '198.18.0.2');
  assert.equal(getString(r.options, 67), 'ipxe.efi');
});

test('ipxe-script: a URL too long for the file field goes in option 67 only', () => {
  const url = `http://198.18.0.2:8080/boot.ipxe?mac=52:54:00:00:00:01&x=${'a'.repeat(120)}`;
  const r = fresh();
  applyBootPlan(r, { kind: 'ipxe-script', url, profile: 'p', reason: '' }, ctx());
  assert.equal(r.file, '');
  assert.equal(r.siaddr, '198.18.0.2');
  assert.equal(getString(r.options, 67), url);
});

test('uefi-http: 60 HTTPClient, URL in file and 67 even unasked', () => {
  const r = fresh();
  applyBootPlan(r, { kind: 'uefi-http', url: 'http://198.18.0.2:8080/ipxe.efi', reason: '' }, ctx());
  assert.equal(getString(r.options, 60), 'HTTPClient');
  assert.equal(r.file, 'http://198.18.0.2:8080/ipxe.efi');
  assert.equal(getString(r.options, 67), 'http://198.18.0.2:8080/ipxe.efi');
});

test('no-boot adds nothing', () => {
  const r = fresh();
  const before = [...r.options.keys()];
  applyBootPlan(r, { kind: 'no-boot', reason: '' }, ctx([66, 67]));
  assert.deepEqual([...r.options.keys()], before);
  assert.equal(r.file, '');
  assert.equal(r.siaddr, '0.0.0.0');
});

test('chainload-tftp of pxelinux.0: options 209 and 210 sent unasked (RFC 5071), no 208', () => {
  const r = fresh();
  applyBootPlan(r, { kind: 'chainload-tftp', file: 'pxelinux.0', pxelinux: { configFile: 'pxelinux.cfg/01-52-54-00-00-00-0b', pathPrefix: 'tftp://198.18.0.2/' }, reason: '' }, ctx([1, 3, 67]));
  assert.equal(r.file, 'pxelinux.0');
  assert.equal(getString(r.options, 209), 'pxelinux.cfg/01-52-54-00-00-00-0b');
  assert.equal(getString(r.options, 210), 'tftp://198.18.0.2/');
  assert.equal(getString(r.options, 208), null);
});
