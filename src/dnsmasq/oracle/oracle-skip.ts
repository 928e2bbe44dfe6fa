/**
 * Why a test against dnsmasq-as-oracle cannot run here (no root for namespaces, no dnsmasq
 * binary), or false when it can: the `skip` option of those tests.
 */
import { execFileSync } from 'node:child_process';
import { canUseNetns } from '../../lab/netns.js';

function haveDnsmasq(): boolean {
  try {
    execFileSync('dnsmasq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function oracleSkip(): string | false {
  if (!canUseNetns()) return 'needs root and iproute2 (network namespaces)';
  return haveDnsmasq() ? false : 'needs dnsmasq';
}
