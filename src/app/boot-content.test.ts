/**
 * Boot once over real HTTP on loopback: the admin API marks a machine for install, the HTTP boot
 * server hands out its installer (script, preseed with the callback URL), and the callback with the
 * right token, and only that, makes it installed. Also the other generated files: cloud-init seeds
 * and PXELINUX configs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { BootEvent } from '../events/boot-event.js';
import { HttpBootServer } from '../http/server.js';
import { ADMIN_TOKEN, startTestApi, type TestApi } from '../api/api-test-server.js';
import { BootContent } from './boot-content.js';

const M = '52:54:00:00:0b:01';
const M_DASHES = '52-54-00-00-0b-01';
const CI = '52:54:00:00:0b:02';
const MENU = '52:54:00:00:0b:03';
const PLAIN = '52:54:00:00:0b:04';

describe('boot once over HTTP', () => {
  let api: TestApi;
  let http: HttpBootServer;
  let content: BootContent;
  let base: string;
  const events: BootEvent[] = [];

  before(async () => {
    api = await startTestApi();
    const f = api.fleet;
    const put = async (name: string, spec: Record<string, unknown>): Promise<void> => {
      const r = await fetch(`${api.url}/api/v1/profiles/${name}`, { method: 'PUT', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(spec) });
      assert.ok(r.status === 201, `${name}: ${r.status} ${await r.text()}`);
    };
    await put('deb', {
      kind: 'debian-installer',
      kernel: 'debian/linux',
      initrd: ['debian/initrd.gz'],
      cmdline: 'console=ttyS0',
      preseed: 'd-i netcfg/get_hostname string {{ hostname }}\nd-i preseed/late_command string in-target wget -q -O- {{ installDoneUrl | shell }}\n',
    });
    await put('web', { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'role=web', install: 'deb' });
    await put('plain', { kind: 'local' });
    await put('ci', { kind: 'cloud-init', kernel: 'vmlinuz', userData: { hostname: '{{ hostname }}', runcmd: [['echo', '{{ labels.note }}']] } });
    await put('menu', { kind: 'pxelinux', entries: [{ label: 'lab', kernel: 'vmlinuz', initrd: ['initrd.img'], append: 'bf.mac={{ macDashes }}' }] });
    assert.ok((await f.patchMachine(M, { profile: 'web', hostname: 'web-1' }, 1)).ok);
    assert.ok((await f.patchMachine(CI, { profile: 'ci', labels: { note: 'a: b # c [d], {e}' } }, 1)).ok);
    assert.ok((await f.patchMachine(MENU, { profile: 'menu' }, 1)).ok);
    assert.ok((await f.patchMachine(PLAIN, { profile: 'plain' }, 1)).ok);
    content = new BootContent({
      fleet: f,
      defaultProfile: 'plain',
      httpPort: 8080,
      tftpPort: 69,
      events: { emit: (e) => events.push(e) },
      macFor: (ip) => (ip === '198.18.0.103' ? MENU : undefined),
    });
    http = new HttpBootServer({
      address: '127.0.0.1',
      port: 0,
      root: '/nonexistent-bootfleet-root',
      events: { emit: (e) => events.push(e) },
      renderBootScript: (req) => content.bootScript(req.mac, req.clientIp, '198.18.0.2'),
      machineFile: (req, clientIp) => content.machineFile(req, clientIp, '198.18.0.2'),
    });
    await http.start();
    base = `http://127.0.0.1:${http.port}`;
  });

  after(async () => {
    await http?.stop();
    await api?.close();
  });

  const get = async (path: string, method = 'GET'): Promise<{ status: number; text: string }> => {
    const r = await fetch(`${base}${path}`, { method });
    return { status: r.status, text: await r.text() };
  };
  const adminCall = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const r = await fetch(`${api.url}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const state = async (mac: string): Promise<unknown> => (await adminCall('GET', `/machines/${mac}`)).body['state'];

  test('install → installer script and preseed with a token → wrong tokens refused → right token: installed → normal profile again', async () => {
    assert.match((await get(`/boot.ipxe?mac=${M}`)).text, /role=web/, 'before: the normal profile');
    assert.equal((await get(`/preseed/${M_DASHES}.cfg`)).status, 404, 'no preseed for a linux profile');

    const marked = await adminCall('POST', `/machines/${M}/install`);
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.equal(marked.body['state'], 'installing');

    const script = (await get(`/boot.ipxe?mac=${M}`)).text;
    assert.match(script, /\(debian-installer\)/);
    assert.match(script, new RegExp(`url=http://198\\.18\\.0\\.2:8080/preseed/${M_DASHES}\\.cfg`));
    const preseed = await get(`/preseed/${M}.cfg`);
    assert.equal(preseed.status, 200);
    assert.match(preseed.text, /^d-i netcfg\/get_hostname string web-1$/m);
    const token = /done\?token=([A-Za-z0-9_-]{43})'/.exec(preseed.text)?.[1];
    assert.ok(token, preseed.text);

    for (const bad of ['', '?token=', `?token=${'A'.repeat(43)}`, `?token=${token}x`, `?token=${token.slice(1)}`]) {
      const r = await get(`/install/${M_DASHES}/done${bad}`);
      assert.deepEqual([r.status, r.text], [403, 'forbidden\n'], `query ${bad}`);
    }
    assert.equal((await get(`/install/${M_DASHES}/done?token=${token}`, 'HEAD')).status, 405, 'HEAD changes nothing');
    assert.equal((await get(`/install/52-54-00-00-0b-99/done?token=${token}`)).status, 403, 'another MAC');
    assert.equal(await state(M), 'installing', 'refused callbacks change nothing');

    const done = await fetch(`${base}/install/${M_DASHES}/done?token=${token}`, { method: 'POST', body: 'log lines the installer sends' });
    assert.deepEqual([done.status, await done.text()], [200, 'installed\n']);
    assert.equal(await state(M), 'installed');
    assert.equal((await get(`/install/${M_DASHES}/done?token=${token}`)).status, 403, 'a replayed callback is refused');
    assert.match((await get(`/boot.ipxe?mac=${M}`)).text, /role=web/, 'after: the normal profile again');
    assert.ok(events.some((e) => e.kind === 'fleet.installed' && e.mac === M));
  });

  test('the install token goes only to the machine itself or an unknown sender, never to a host known as another machine', async () => {
    assert.equal((await adminCall('POST', `/machines/${M}/install`)).status, 200);
    const preseed = async (eventMac: string | null): Promise<string> => {
      const r = await content.machineFile({ kind: 'preseed', mac: M }, '198.18.0.50', '198.18.0.2', eventMac);
      assert.equal(r.status, 200);
      return r.body;
    };
    const tokenIn = (text: string) => /done\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
    const own = tokenIn(await preseed(M));
    assert.ok(own, 'the machine gets its token');
    assert.equal(tokenIn(await preseed(null)), own, 'a sender nothing is known of (routed) gets it too');
    const other = await preseed('52:54:00:00:0b:77');
    assert.equal(tokenIn(other), undefined, 'a host known as another machine gets the preseed without the token');
    assert.doesNotMatch(other, new RegExp(own));
    // A script template may carry the callback too; the cache must not hand a tokenless one to the machine.
    const X = '52:54:00:00:0b:05';
    const put = await fetch(`${api.url}/api/v1/profiles/tokscript`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kernel: 'vmlinuz', cmdline: 'cb={{ installDoneUrl }}' }),
    });
    assert.equal(put.status, 201);
    assert.equal((await fetch(`${api.url}/api/v1/profiles/webx`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kernel: 'vmlinuz', install: 'tokscript' }),
    })).status, 201);
    assert.equal((await adminCall('PATCH', `/machines/${X}`, { profile: 'webx' })).status, 201, 'created');
    assert.equal((await adminCall('POST', `/machines/${X}/install`)).status, 200);
    const script = async (eventMac: string | null) => (await content.bootScript(X, '198.18.0.60', '198.18.0.2', eventMac)).body;
    assert.equal(tokenIn(await script('52:54:00:00:0b:77')), undefined, 'spoofed: no token');
    assert.ok(tokenIn(await script(X)), 'then the machine itself from that address: with its token (the tokenless render was not cached)');
    assert.equal(tokenIn(await script('52:54:00:00:0b:77')), undefined, 'and the cached render with the token is not handed to the other host');
    const withheld = events.filter((e) => e.kind === 'fleet.install' && e.mac === X && /withheld from 198\.18\.0\.60/.test(e.msg));
    assert.equal(withheld.length, 1, 'the machine\'s timeline says the token was withheld, once a minute per sender');

    // Over TFTP, pxelinux.cfg/01-<mac> names any machine: the token follows who asks there too.
    const Y = '52:54:00:00:0b:06';
    const putProfile = async (name: string, spec: unknown) =>
      (await fetch(`${api.url}/api/v1/profiles/${name}`, { method: 'PUT', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(spec) })).status;
    assert.equal(await putProfile('pxetok', { kind: 'pxelinux', entries: [{ label: 'inst', kernel: 'vmlinuz', append: 'cb={{ installDoneUrl }}' }] }), 201);
    assert.equal(await putProfile('weby', { kernel: 'vmlinuz', install: 'pxetok' }), 201);
    assert.equal((await adminCall('PATCH', `/machines/${Y}`, { profile: 'weby' })).status, 201);
    assert.equal((await adminCall('POST', `/machines/${Y}/install`)).status, 200);
    const cfg = async (ip: string) => (await content.pxelinuxConfig(`pxelinux.cfg/01-${Y.replaceAll(':', '-')}`, ip, '198.18.0.2'))?.toString() ?? '';
    assert.equal(tokenIn(await cfg('198.18.0.103')), undefined, 'a host known as another machine (MENU) gets no token over TFTP');
    assert.ok(tokenIn(await cfg('198.18.0.200')), 'an unknown sender (the machine, as far as anyone can tell) gets it');
    assert.ok(events.some((e) => e.kind === 'tftp.pxelinux' && e.mac === MENU && e.data?.['machine'] === Y), 'the TFTP event is the asker\'s');
    assert.equal(await state(M), 'installing');
  });

  test('marking again gives a new token; PATCH state installing works like POST install', async () => {
    assert.equal((await adminCall('PATCH', `/machines/${M}`, { state: 'installing', labels: { round: '2' } })).status, 200);
    const first = /token=([A-Za-z0-9_-]{43})/.exec((await get(`/preseed/${M_DASHES}.cfg`)).text)?.[1];
    assert.equal((await adminCall('POST', `/machines/${M}/install`)).status, 200);
    const second = /token=([A-Za-z0-9_-]{43})/.exec((await get(`/preseed/${M_DASHES}.cfg`)).text)?.[1];
    assert.ok(first && second && first !== second);
    assert.equal((await get(`/install/${M_DASHES}/done?token=${first}`)).status, 403, 'the earlier run\'s token no longer counts');
    assert.equal((await get(`/install/${M_DASHES}/done?token=${second}`)).status, 200);
  });

  test('install is refused for a machine whose profile names no installer, and for an unknown one', async () => {
    const none = await adminCall('POST', `/machines/${PLAIN}/install`);
    assert.equal(none.status, 409);
    assert.equal((none.body['error'] as { code: string }).code, 'API_NO_INSTALLER');
    assert.equal((await adminCall('PATCH', `/machines/${PLAIN}`, { state: 'installing' })).status, 409);
    assert.equal(await state(PLAIN), 'ready', 'nothing stored');
    assert.equal((await adminCall('POST', '/machines/52:54:00:00:0b:99/install')).status, 404);
  });

  test('a profile with a broken template is refused on PUT, naming the field and line', async () => {
    const r = await adminCall('PUT', '/profiles/broken', { kernel: 'k', cmdline: 'a={{ hostnme }}' });
    assert.equal(r.status, 400);
    const e = r.body['error'] as { code: string; field: string; message: string };
    assert.deepEqual([e.code, e.field], ['API_BAD_TEMPLATE', 'cmdline']);
    assert.match(e.message, /profile broken: cmdline, line 1, column 3: unknown variable "hostnme"/);
  });

  test('cloud-init seed per machine, as YAML the yaml library wrote', async () => {
    const user = await get(`/cloud-init/52-54-00-00-0b-02/user-data`);
    assert.equal(user.status, 200);
    assert.ok(user.text.startsWith('#cloud-config\n'));
    assert.deepEqual(parse(user.text), { hostname: 'host-525400000b02', runcmd: [['echo', 'a: b # c [d], {e}']] });
    const meta = await get('/cloud-init/52-54-00-00-0b-02/meta-data');
    assert.equal(meta.status, 200, JSON.stringify(events.filter((e) => e.level === 'error')));
    assert.equal((await get('/cloud-init/52-54-00-00-0b-02/vendor-data')).text, '');
    assert.equal((await get(`/cloud-init/${M_DASHES}/user-data`)).status, 404, 'not a cloud-init profile');
    assert.equal((await get('/cloud-init/52-54-00-00-0b-02/user-data', 'POST')).status, 405);
  });

  test('PXELINUX configs: 01-<mac> for its machine, default for the client address, nothing otherwise', async () => {
    const own = await content.pxelinuxConfig('pxelinux.cfg/01-52-54-00-00-0b-03', '198.18.0.50', '198.18.0.2');
    assert.match(own?.toString() ?? '', /APPEND bf\.mac=52-54-00-00-0b-03/);
    const byIp = await content.pxelinuxConfig('pxelinux.cfg/default', '198.18.0.103', '198.18.0.2');
    assert.equal(byIp?.toString(), own?.toString());
    assert.equal(await content.pxelinuxConfig('pxelinux.cfg/default', '198.18.0.104', '198.18.0.2'), null, 'unknown client');
    assert.equal(await content.pxelinuxConfig(`pxelinux.cfg/01-${M_DASHES}`, '198.18.0.50', '198.18.0.2'), null, 'not a PXELINUX profile');
    assert.equal(await content.pxelinuxConfig('pxelinux.cfg/C612', '198.18.0.103', '198.18.0.2'), null, 'hex-IP names are not generated');
    assert.equal(await content.pxelinuxConfig('pxelinux.0', '198.18.0.103', '198.18.0.2'), null);
  });
});
