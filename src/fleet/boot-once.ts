/**
 * Boot once ("build mode" in Foreman and Cobbler): a machine marked for (re)install boots its
 * profile's `install` profile, with a token of its own on the installer's command line or in its
 * preseed / cloud-init seed; the installer calls back `GET|POST /install/<mac>/done?token=…`, the
 * machine becomes `installed`, and from its next boot on it gets its normal profile again.
 *
 *   ready/installed/discovered ──install──▶ installing (token T) ──callback with T──▶ installed
 *                                              └──callback with another token: 403, no change
 *
 * The token is a bearer secret for one install run: whoever can read the machine's boot script
 * (anyone on the boot network who knows its MAC) can read it too, so it proves "this install run",
 * not "this machine". It is enough to stop a stale installer or a typo from marking the wrong
 * machine installed, which is what it is for. Pure: randomness comes from the caller.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FleetProfile } from './group.js';
import type { Machine } from './machine.js';

/** 32 random bytes as base64url: 43 characters, safe on a kernel command line and in a URL query. */
export const INSTALL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh token from 32 random bytes (the caller brings them: `crypto.randomBytes(32)`). */
export function installTokenFrom(random: Uint8Array): string {
  if (random.length !== 32) throw new Error(`an install token needs 32 random bytes, got ${random.length}`);
  return Buffer.from(random).toString('base64url');
}

/** Compares in constant time (by SHA-256 digest, so lengths do not leak either). */
export function installTokensEqual(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Which profile a machine boots now, given the profile its groups/own setting/default give it. */
export interface EffectiveProfile {
  /** The profile to render. */
  profile: FleetProfile;
  /** The machine's normal profile (the one resolved by `resolveProfile`). */
  normal: FleetProfile;
  /** True while it boots its installer. */
  installing: boolean;
  why: string;
  /** Something an operator should hear about (an installing machine whose profile names no installer). */
  warning: string | null;
}

/**
 * A machine in state `installing` boots its normal profile's `install` profile; every other
 * state boots the normal profile. `profileNamed` looks a profile up (null: it does not exist).
 */
export function effectiveProfile(machine: Machine | null, normal: FleetProfile, profileNamed: (name: string) => FleetProfile | null): EffectiveProfile {
  if (machine?.state !== 'installing') {
    return { profile: normal, normal, installing: false, why: `profile ${normal.name}`, warning: null };
  }
  if (!normal.install) {
    return {
      profile: normal,
      normal,
      installing: false,
      why: `profile ${normal.name}`,
      warning: `machine ${machine.mac} is installing, but its profile ${normal.name} names no install profile: it boots ${normal.name}`,
    };
  }
  const installer = profileNamed(normal.install);
  if (!installer) {
    return {
      profile: normal,
      normal,
      installing: false,
      why: `profile ${normal.name}`,
      warning: `machine ${machine.mac} is installing, but ${normal.name}'s install profile ${normal.install} does not exist: it boots ${normal.name}`,
    };
  }
  return { profile: installer, normal, installing: true, why: `installing: profile ${installer.name} (the install profile of ${normal.name})`, warning: null };
}
