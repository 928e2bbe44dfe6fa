import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostAddress, readHostsText } from './hosts-file.js';

test('hosts files: IPv4 names and aliases, case-insensitive, first address wins, comments and IPv6 skipped', () => {
  const hosts = new Map<string, string>();
  readHostsText('# boot servers\n198.18.0.9   tftp  TFTP-alias # the lab one\nfe80::1 v6only\n198.18.0.10 tftp\nbad line\n\n', hosts);
  readHostsText('198.18.0.11 later\n', hosts);
  assert.equal(hostAddress(hosts, 'tftp'), '198.18.0.9');
  assert.equal(hostAddress(hosts, 'Tftp-Alias'), '198.18.0.9');
  assert.equal(hostAddress(hosts, 'later'), '198.18.0.11');
  assert.equal(hostAddress(hosts, 'v6only'), '0.0.0.0');
  assert.equal(hostAddress(hosts, 'unknown'), '0.0.0.0');
  assert.equal(hosts.has('bad'), false);
});
