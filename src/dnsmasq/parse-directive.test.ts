/**
 * Every supported directive, good and bad, through the loader (so the line reading, the
 * catalogue and the value parser are all in play).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Directive } from './directive.js';
import { parseDnsmasqConfText } from './load.js';
import type { DnsmasqProblem } from './problems.js';

function parse(text: string): { directives: Directive[]; problems: DnsmasqProblem[] } {
  return parseDnsmasqConfText(text, '/etc/dnsmasq.conf');
}

/** The one directive a line gives; fails the test on any problem. */
function one<K extends Directive['kind']>(line: string, kind: K): Directive & { kind: K } {
  const r = parse(line);
  assert.deepEqual(r.problems.map((p) => p.message), [], line);
  assert.equal(r.directives.length, 1, line);
  const d = r.directives[0] as Directive;
  assert.equal(d.kind, kind, line);
  return d as Directive & { kind: K };
}

/** The one problem a line gives. */
function bad(line: string): DnsmasqProblem {
  const r = parse(line);
  assert.equal(r.problems.length, 1, `${line} → ${JSON.stringify(r.problems)}`);
  return r.problems[0] as DnsmasqProblem;
}

describe('dhcp-range', () => {
  test('start,end', () => {
    const r = one('dhcp-range=198.18.0.100,198.18.0.200', 'dhcp-range');
    assert.deepEqual([r.start, r.end, r.mode, r.netmask, r.leaseTime, r.setTag, r.filters], ['198.18.0.100', '198.18.0.200', 'dynamic', null, null, null, []]);
  });
  test('reversed ends are swapped, as dnsmasq does', () => {
    const r = one('dhcp-range=198.18.0.200,198.18.0.100', 'dhcp-range');
    assert.deepEqual([r.start, r.end], ['198.18.0.100', '198.18.0.200']);
  });
  test('netmask, broadcast and lease time', () => {
    const r = one('dhcp-range=198.18.0.100,198.18.0.200,255.255.255.0,198.18.0.255,12h', 'dhcp-range');
    assert.deepEqual([r.netmask, r.broadcast, r.leaseTime], ['255.255.255.0', '198.18.0.255', 43200]);
  });
  test('lease time units, infinite, and the 120 s minimum', () => {
    const lease = (t: string): unknown => one(`dhcp-range=198.18.0.1,198.18.0.9,${t}`, 'dhcp-range').leaseTime;
    assert.equal(lease('3600'), 3600);
    assert.equal(lease('45m'), 2700);
    assert.equal(lease('2d'), 172800);
    assert.equal(lease('1w'), 604800);
    assert.equal(lease('infinite'), 'infinite');
    assert.equal(lease('30'), 120);
  });
  test('proxy and static ranges', () => {
    const p = one('dhcp-range=198.18.0.0,proxy', 'dhcp-range');
    assert.deepEqual([p.mode, p.start, p.end], ['proxy', '198.18.0.0', '198.18.0.0']);
    assert.equal(one('dhcp-range=198.18.0.0,static,255.255.255.0', 'dhcp-range').mode, 'static');
  });
  test('set: and tag: prefixes, a bare word as set tag, empty tag: ignored', () => {
    const r = one('dhcp-range=tag:lan,tag:!guest,tag:,set:pool1,198.18.0.10,198.18.0.20', 'dhcp-range');
    assert.equal(r.setTag, 'pool1');
    assert.deepEqual(r.filters, [{ name: 'lan', negated: false }, { name: 'guest', negated: true }]);
    assert.equal(one('dhcp-range=eth1,198.18.1.10,198.18.1.20', 'dhcp-range').setTag, 'eth1');
    assert.equal(one('dhcp-range=net:old,198.18.1.10,198.18.1.20', 'dhcp-range').filters[0]?.name, 'old');
  });
  test('bad ranges name the directive and the value', () => {
    assert.match(bad('dhcp-range=198.18.0.10').message, /dhcp-range needs <start>,<end>.*198\.18\.0\.10/);
    assert.match(bad('dhcp-range=198.18.0.10,nonsense').message, /"nonsense" is not an end address/);
    assert.match(bad('dhcp-range=198.18.0.10,198.18.1.20,255.255.255.0').message, /not in the same network/);
    assert.match(bad('dhcp-range=198.18.0.10,198.18.0.20,1x').message, /"1x" is not a lease time/);
    assert.match(bad('dhcp-range=set:a,set:b,198.18.0.10,198.18.0.20').message, /only one set: tag/);
    assert.match(bad('dhcp-range=198.18.0.10,198.18.0.20,1h,extra').message, /unexpected field/);
  });
  test('DHCPv6 ranges are rejected clearly', () => {
    const p = bad('dhcp-range=fd00::10,fd00::ff,64');
    assert.equal(p.code, 'DNSMASQ_IPV6');
  });
});

describe('dhcp-host', () => {
  test('MAC, address, hostname, lease time', () => {
    const h = one('dhcp-host=52:54:00:12:34:56,198.18.0.50,web1,infinite', 'dhcp-host');
    assert.equal(h.hwaddrs[0]?.bytes.toString('hex'), '525400123456');
    assert.deepEqual([h.address, h.hostname, h.leaseTime, h.ignore], ['198.18.0.50', 'web1', 'infinite', false]);
    assert.equal(one('dhcp-host=52:54:00:12:34:56,2h', 'dhcp-host').leaseTime, 7200);
  });
  test('wildcard MAC bytes, ARP type prefix and several MACs', () => {
    const h = one('dhcp-host=52:54:00:*:*:*,06-00:20:e0:3b:13:af,ignore', 'dhcp-host');
    assert.deepEqual(h.hwaddrs[0]?.wildcard, [false, false, false, true, true, true]);
    assert.equal(h.hwaddrs[1]?.hwType, 6);
    assert.equal(h.ignore, true);
  });
  test('id: client identifiers (hex or text), id:* , set:/net: tags and tag: filters', () => {
    assert.equal(one('dhcp-host=id:01:52:54:00:12:34:56,198.18.0.51', 'dhcp-host').clientId?.toString('hex'), '01525400123456');
    assert.equal(one('dhcp-host=id:laptop,198.18.0.52', 'dhcp-host').clientId?.toString(), 'laptop');
    const h = one('dhcp-host=52:54:00:12:34:57,id:*,set:lab,net:old,tag:ipxe', 'dhcp-host');
    assert.deepEqual([h.ignoreClientId, h.setTags, h.filters], [true, ['lab', 'old'], [{ name: 'ipxe', negated: false }]]);
  });
  test('a hostname alone', () => {
    assert.equal(one('dhcp-host=lap,198.18.0.199', 'dhcp-host').hostname, 'lap');
  });
  test('the same address twice, bad fields, IPv6', () => {
    const r = parse('dhcp-host=52:54:00:00:00:01,198.18.0.5\ndhcp-host=52:54:00:00:00:02,198.18.0.5');
    assert.match(r.problems[0]?.message ?? '', /198\.18\.0\.5 is already given/);
    assert.equal(r.problems[0]?.at.line, 2);
    assert.match(bad('dhcp-host=52:54:zz:00:00:01').message, /not a hardware address/);
    assert.match(bad('dhcp-host=bad name!').message, /"bad name!" is not a MAC/);
    assert.equal(bad('dhcp-host=laptop,[fd00::5]').code, 'DNSMASQ_IPV6');
  });
});

describe('dhcp-boot', () => {
  test('file; file,server name; file,server name,server address', () => {
    const a = one('dhcp-boot=pxelinux.0', 'dhcp-boot');
    assert.deepEqual([a.file, a.serverName, a.serverAddress, a.filters], ['pxelinux.0', null, null, []]);
    const b = one('dhcp-boot=pxelinux.0,bootsrv,198.18.0.9', 'dhcp-boot');
    assert.deepEqual([b.file, b.serverName, b.serverAddress], ['pxelinux.0', 'bootsrv', '198.18.0.9']);
    const c = one('dhcp-boot=undionly.kpxe,,198.18.0.2', 'dhcp-boot');
    assert.deepEqual([c.serverName, c.serverAddress], [null, '198.18.0.2']);
  });
  test('a TFTP server by name', () => {
    const d = one('dhcp-boot=pxelinux.0,boot,tftp.example', 'dhcp-boot');
    assert.deepEqual([d.serverAddress, d.tftpServerName], [null, 'tftp.example']);
  });
  test('tags in both spellings, negation in both', () => {
    const d = one('dhcp-boot=tag:efi,tag:!ipxe,net:#gpxe,net:lab,ipxe.efi', 'dhcp-boot');
    assert.deepEqual(d.filters, [
      { name: 'efi', negated: false }, { name: 'ipxe', negated: true }, { name: 'gpxe', negated: true }, { name: 'lab', negated: false },
    ]);
    assert.equal(d.file, 'ipxe.efi');
  });
  test('tags without a file', () => {
    assert.match(bad('dhcp-boot=tag:efi').message, /needs a file name after its tags/);
  });
});

describe('dhcp-match', () => {
  test('option number, present or not', () => {
    const m = one('dhcp-match=set:ipxe,175', 'dhcp-match');
    assert.deepEqual([m.setTag, m.spec.code, m.spec.value.bytes.length], ['ipxe', 175, 0]);
  });
  test('option:name with a number sized by the option (client-arch is 2 bytes)', () => {
    const m = one('dhcp-match=set:efi,option:client-arch,7', 'dhcp-match');
    assert.deepEqual([m.spec.code, m.spec.value.bytes.toString('hex'), m.spec.value.form], [93, '0007', 'number']);
  });
  test('text (substring match) and hex with wildcards (prefix match)', () => {
    const t = one('dhcp-match=set:pxe,60,PXEClient', 'dhcp-match');
    assert.deepEqual([t.spec.value.form, t.spec.value.isString], ['text', true]);
    const h = one('dhcp-match=set:x,97,00:*:02', 'dhcp-match');
    assert.deepEqual([h.spec.value.form, h.spec.value.wildcard], ['hex', [false, true, false]]);
  });
  test('set: is optional; internal options may be matched by name', () => {
    assert.equal(one('dhcp-match=ipxe,175', 'dhcp-match').setTag, 'ipxe');
    assert.equal(one('dhcp-match=set:hn,option:hostname', 'dhcp-match').spec.code, 12);
  });
  test('vi-encap enterprise, with and without a value', () => {
    const m = one('dhcp-match=set:cisco,vi-encap:9', 'dhcp-match');
    assert.deepEqual([m.spec.space, m.spec.code], [{ kind: 'vi-encap', enterprise: 9 }, null]);
    assert.equal(one('dhcp-match=set:cisco,vi-encap:9,ap', 'dhcp-match').spec.value.form, 'text');
  });
  test('errors', () => {
    assert.match(bad('dhcp-match=175').message, /no option number|exactly one set/);
    assert.match(bad('dhcp-match=set:a,set:b,175').message, /exactly one set:<tag>/);
    assert.match(bad('dhcp-match=set:a,encap:175,1').message, /cannot be matched/);
    assert.match(bad('dhcp-match=set:a,option:no-such-option').message, /unknown option name "no-such-option"/);
  });
});

describe('dhcp-vendorclass, dhcp-userclass, dhcp-mac', () => {
  test('vendor and user class, set: optional', () => {
    const v = one('dhcp-vendorclass=set:printers,Hewlett-Packard JetDirect', 'dhcp-vendorclass');
    assert.deepEqual([v.setTag, v.data.toString()], ['printers', 'Hewlett-Packard JetDirect']);
    assert.equal(one('dhcp-userclass=ipxe,iPXE', 'dhcp-userclass').setTag, 'ipxe');
    assert.equal(one('dhcp-vendorclass=set:x,enterprise:4491,docsis', 'dhcp-vendorclass').enterprise, 4491);
  });
  test('class errors', () => {
    assert.match(bad('dhcp-userclass=ipxe').message, /needs set:<tag>,<class>/);
    assert.match(bad('dhcp-userclass=set:a,b,c').message, /one class string/);
  });
  test('dhcp-mac with wildcards', () => {
    const m = one('dhcp-mac=set:3com,01:34:23:*:*:*', 'dhcp-mac');
    assert.deepEqual([m.setTag, m.pattern.bytes.length, m.pattern.wildcard.filter(Boolean).length], ['3com', 6, 3]);
    assert.match(bad('dhcp-mac=set:x').message, /needs set:<tag>,<MAC pattern>/);
  });
});

describe('tag-if', () => {
  test('sets and conditions, wildcards and negation', () => {
    const t = one('tag-if=set:a,set:b,tag:ppp*,tag:!c', 'tag-if');
    assert.deepEqual(t.set, ['a', 'b']);
    assert.deepEqual(t.conditions, [{ name: 'ppp*', negated: false }, { name: 'c', negated: true }]);
    assert.deepEqual(one('tag-if=set:always', 'tag-if').conditions, []);
  });
  test('errors', () => {
    assert.match(bad('tag-if=tag:a').message, /at least one set:/);
    assert.match(bad('tag-if=set:a,x').message, /neither set:<tag> nor tag:<tag>/);
  });
});

describe('dhcp-option and dhcp-option-force', () => {
  const value = (line: string): string => one(line, 'dhcp-option').spec.value.bytes.toString('hex');
  test('numbers and names, addresses, 0.0.0.0 as this server', () => {
    const o = one('dhcp-option=option:router,198.18.0.1', 'dhcp-option');
    assert.deepEqual([o.spec.code, o.spec.value.form, o.spec.value.bytes.toString('hex'), o.force], [3, 'addresses', 'c6120001', false]);
    assert.equal(one('dhcp-option=6,0.0.0.0,9.9.9.9', 'dhcp-option').spec.value.selfAddress, true);
    assert.equal(value('dhcp-option=42,198.18.0.1,198.18.0.2'), 'c6120001c6120002');
  });
  test('known text options stay text, even digits and dots; quotes force text', () => {
    assert.equal(one('dhcp-option=66,198.18.0.2', 'dhcp-option').spec.value.form, 'text');
    assert.equal(one('dhcp-option=252,"198.18.0.2"', 'dhcp-option').spec.value.form, 'text');
    assert.equal(one('dhcp-option=252,198.18.0.2', 'dhcp-option').spec.value.form, 'addresses');
  });
  test('numbers: width from the option, else from the value, else from a b/s/i suffix', () => {
    assert.equal(value('dhcp-option=option:mtu,1500'), '05dc');
    assert.equal(value('dhcp-option=option:boot-file-size,9'), '0009');
    assert.equal(value('dhcp-option=250,9'), '09');
    assert.equal(value('dhcp-option=250,300'), '012c');
    assert.equal(value('dhcp-option=250,70000'), '00011170');
    assert.equal(value('dhcp-option=250,9i'), '00000009');
    assert.equal(value('dhcp-option=encap:175,176,1b'), '01');
  });
  test('hex bytes', () => {
    const o = one('dhcp-option-force=208,f1:00:74:7e', 'dhcp-option');
    assert.deepEqual([o.force, o.spec.value.form, o.spec.value.bytes.toString('hex')], [true, 'hex', 'f100747e']);
  });
  test('times for time options', () => {
    assert.equal(value('dhcp-option=option:T1,1h'), '00000e10');
    assert.equal(value('dhcp-option=58,90'), '0000005a');
  });
  test('RFC 3442 routes and RFC 3397 domain search with compression', () => {
    assert.equal(value('dhcp-option=121,10.0.0.0/8,198.18.0.1'), '080ac6120001');
    assert.equal(value('dhcp-option=119,lab.example,example'), '036c6162076578616d706c6500c004');
  });
  test('an option with no value', () => {
    const o = one('dhcp-option=option:router', 'dhcp-option');
    assert.deepEqual([o.spec.code, o.spec.value.form], [3, 'none']);
  });
  test('encap:, vendor: (with and without class), vi-encap:', () => {
    assert.deepEqual(one('dhcp-option=encap:175,190,iscsi-client0', 'dhcp-option').spec.space, { kind: 'encap', outer: 175 });
    assert.deepEqual(one('dhcp-option=vendor:PXEClient,1,0.0.0.0', 'dhcp-option').spec.space, { kind: 'vendor', vendorClass: 'PXEClient' });
    assert.deepEqual(one('dhcp-option=vendor:,1,0.0.0.0', 'dhcp-option').spec.space, { kind: 'vendor', vendorClass: '' });
    assert.deepEqual(one('dhcp-option=vi-encap:2,10,text', 'dhcp-option').spec.space, { kind: 'vi-encap', enterprise: 2 });
  });
  test('tags: tag:, net:, set: and bare words (old configs), negation', () => {
    const o = one('dhcp-option=tag:a,net:#b,set:c,d,17,/root', 'dhcp-option');
    assert.deepEqual(o.spec.tags, [
      { name: 'a', negated: false }, { name: 'b', negated: true }, { name: 'c', negated: false }, { name: 'd', negated: false },
    ]);
  });
  test('errors name the directive and the value', () => {
    assert.equal(bad('dhcp-option=option6:dns-server,[::]').code, 'DNSMASQ_IPV6');
    assert.match(bad('dhcp-option=option:router,notanaddress').message, /dhcp-option: option router takes IPv4 addresses, got "notanaddress"/);
    assert.match(bad('dhcp-option=option:message-type,5').message, /set by the DHCP server itself/);
    assert.match(bad('dhcp-option=43,5').message, /does not take a number/);
    assert.match(bad(`dhcp-option=17,${'x'.repeat(256)}`).message, /256 bytes/);
    assert.match(bad('dhcp-option=router,198.18.0.1').message, /no option number/);
    assert.match(bad('dhcp-option=encap:x,1,1').message, /encap: needs an option number/);
    assert.match(bad('dhcp-option=300,1').message, /outside 1\.\.254/);
  });
});

describe('flags, lists and numbers', () => {
  test('flags', () => {
    for (const f of ['dhcp-no-override', 'dhcp-authoritative', 'no-ping', 'tftp-secure', 'tftp-no-blocksize', 'tftp-lowercase', 'log-dhcp', 'bind-interfaces'] as const) {
      assert.equal(one(f, f).kind, f);
      assert.equal(bad(`${f}=yes`).code, 'DNSMASQ_UNEXPECTED_VALUE');
    }
  });
  test('dhcp-ignore', () => {
    assert.deepEqual(one('dhcp-ignore=tag:!known,net:guest', 'dhcp-ignore').conditions, [{ name: 'known', negated: true }, { name: 'guest', negated: false }]);
  });
  test('dhcp-leasefile and its alias', () => {
    assert.equal(one('dhcp-leasefile=/var/lib/misc/leases', 'dhcp-leasefile').path, '/var/lib/misc/leases');
    assert.equal(one('dhcp-lease=/tmp/l', 'dhcp-leasefile').path, '/tmp/l');
  });
  test('enable-tftp with and without interfaces; tftp-root with an interface', () => {
    assert.deepEqual(one('enable-tftp', 'enable-tftp').names, []);
    assert.deepEqual(one('enable-tftp=eth0,eth1', 'enable-tftp').names, ['eth0', 'eth1']);
    const r = one('tftp-root=/srv/tftp,eth1', 'tftp-root');
    assert.deepEqual([r.dir, r.iface], ['/srv/tftp', 'eth1']);
  });
  test('tftp-max, tftp-port-range (swapped when reversed), port', () => {
    assert.equal(one('tftp-max=100', 'tftp-max').value, 100);
    const p = one('tftp-port-range=6000,5000', 'tftp-port-range');
    assert.deepEqual([p.start, p.end], [5000, 6000]);
    assert.equal(one('port=0', 'port').value, 0);
    assert.match(bad('port=70000').message, /"70000" is not a port/);
    assert.match(bad('tftp-port-range=5000').message, /needs <start>,<end>/);
    assert.match(bad('tftp-max=many').message, /not a number/);
  });
  test('interface lists, listen-address', () => {
    assert.deepEqual(one('interface=eth0,eth1', 'interface').names, ['eth0', 'eth1']);
    assert.deepEqual(one('except-interface=wlan*', 'except-interface').names, ['wlan*']);
    assert.deepEqual(one('listen-address=127.0.0.1,198.18.0.2', 'listen-address').addresses, ['127.0.0.1', '198.18.0.2']);
    assert.match(bad('listen-address=eth0').message, /"eth0" is not an IP address/);
  });
});

describe('pxe-service and pxe-prompt', () => {
  test('CSA names (any case) map to dnsmasq numbers; basenames numbered from 32768 in reading order', () => {
    const r = parse('pxe-service=x86PC,"Network",undionly\npxe-service=x86-64_efi,UEFI,ipxe.efi\npxe-service=BC_EFI,EBC,snp.efi\npxe-service=x86PC,"Local"');
    assert.deepEqual(r.problems, []);
    const s = r.directives.filter((d) => d.kind === 'pxe-service');
    assert.deepEqual(s.map((d) => (d.kind === 'pxe-service' ? [d.csa, d.serviceType, d.basename, d.menuText] : [])), [
      [0, 32768, 'undionly', 'Network'], [7, 32769, 'ipxe.efi', 'UEFI'], [9, 32770, 'snp.efi', 'EBC'], [0, 0, null, 'Local'],
    ]);
  });
  test('a service type number, a server by address or name, tags, a numeric CSA', () => {
    const a = one('pxe-service=tag:!ipxe,x86PC,"Remote",2,198.18.0.9', 'pxe-service');
    assert.deepEqual([a.serviceType, a.serverAddress, a.basename, a.filters[0]], [2, '198.18.0.9', null, { name: 'ipxe', negated: true }]);
    assert.equal(one('pxe-service=x86PC,Boot,pxelinux,bootsrv', 'pxe-service').serverName, 'bootsrv');
    assert.equal(one('pxe-service=11,"ARM",grubaa64.efi', 'pxe-service').csa, 11);
  });
  test('pxe-prompt with timeout (default 255) and tags', () => {
    const p = one('pxe-prompt="Press F8",10', 'pxe-prompt');
    assert.deepEqual([p.prompt, p.timeout], ['Press F8', 10]);
    assert.equal(one('pxe-prompt=tag:bios,"Menu"', 'pxe-prompt').timeout, 255);
  });
  test('errors', () => {
    assert.match(bad('pxe-service=Amiga,"x",y').message, /"Amiga" is not a client system type/);
    assert.match(bad('pxe-service=x86PC').message, /needs <CSA>,<menu text>/);
    assert.match(bad('pxe-prompt=tag:x').message, /needs a prompt text/);
  });
});
