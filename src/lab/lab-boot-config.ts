/**
 * bootfleet's config for one measured lab boot (measure-boot, the bench's `boot` group, the
 * IPv6 RA end-to-end test): full mode on the lab segment, the lab kernel as profile `alpha`.
 */
import path from 'node:path';
import { stageHttpRoot } from '../harness/lab-assets.js';

/**
 * The config object for `BootfleetProcess.start`. The pool is `pool` when given, else ten
 * addresses from 198.18.0.(100 + 10 × round): distinct per round, so back-to-back boots do not
 * reuse an address.
 */
export function labConfig(dir: string, round: number, iface: Record<string, unknown> = {}, pool?: { start: string; end: string }): Record<string, unknown> {
  const first = 100 + round * 10;
  const range = pool ?? { start: `198.18.0.${first}`, end: `198.18.0.${first + 9}` };
  return {
    interfaces: [{ name: 'bf0', mode: 'full', ...iface }],
    dhcp: { subnets: [{ subnet: '198.18.0.0/24', pools: [range], router: '198.18.0.1', leaseTime: '1h' }] },
    tftp: { root: path.join(dir, 'tftp') },
    http: { port: 8080, root: stageHttpRoot(dir) },
    boot: { defaultProfile: 'alpha' },
    profiles: { alpha: { kernel: 'vmlinuz', initrd: ['initrd.img'], cmdline: 'console=ttyS0 bf.profile=alpha' } },
  };
}
