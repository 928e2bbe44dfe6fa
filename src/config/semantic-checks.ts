import type { PathFinding } from './issue-message.js';
import { formatCidr, ipv4ToNumber, networkContains, numberToIpv4, parseCidr, rangesOverlap, type Ipv4Network } from './ipv4.js';
import { pxeCsaArches, type BootfleetConfig } from './schema.js';
import { formatPath, type ConfigPath } from './yaml-locate.js';

export interface SemanticFindings {
  errors: PathFinding[];
  warnings: PathFinding[];
}

/**
 * Rules the schema cannot express because they relate one value to another: pools and
 * reservations inside their subnets, names that must exist, things that must be unique.
 * Runs only on a config that passed the schema.
 */
export function checkSemantics(config: BootfleetConfig): SemanticFindings {
  const out: SemanticFindings = { errors: [], warnings: [] };
  checkInterfaces(config, out);
  const networks = checkSubnets(config, out);
  checkReservations(config, networks, out);
  checkProfiles(config, out);
  checkMenu(config, out);
  return out;
}

function error(out: SemanticFindings, path: ConfigPath, code: PathFinding['code'], message: string): void {
  out.errors.push({ path, atKey: false, code, message });
}

function warn(out: SemanticFindings, path: ConfigPath, message: string): void {
  // Warnings carry a code only because PathFinding does; formatted warnings show none.
  out.warnings.push({ path, atKey: false, code: 'CFG_VALUE', message });
}

function checkInterfaces(config: BootfleetConfig, out: SemanticFindings): void {
  const seen = new Map<string, number>();
  config.interfaces.forEach((iface, i) => {
    const first = seen.get(iface.name);
    if (first !== undefined) {
      error(out, ['interfaces', i, 'name'], 'CFG_DUPLICATE_INTERFACE', `got "${iface.name}" again, expected each interface once (first at interfaces[${first}])`);
    } else seen.set(iface.name, i);
  });
  const full = config.interfaces.find((iface) => iface.mode === 'full');
  if (full && config.dhcp.subnets.length === 0) {
    const i = config.interfaces.indexOf(full);
    warn(out, ['interfaces', i, 'mode'], `interface ${full.name} is in full mode but dhcp.subnets is empty, so there are no addresses to hand out`);
  }
}

/** Returns each subnet's parsed network, index for index (null where the text was bad). */
function checkSubnets(config: BootfleetConfig, out: SemanticFindings): (Ipv4Network | null)[] {
  const networks = config.dhcp.subnets.map((s) => parseCidr(s.subnet));
  const pools: { path: ConfigPath; start: number; end: number }[] = [];
  config.dhcp.subnets.forEach((subnet, si) => {
    const net = networks[si];
    const here: ConfigPath = ['dhcp', 'subnets', si];
    if (!net) return;
    if (net.hostBitsSet) warn(out, [...here, 'subnet'], `"${subnet.subnet}" has host bits set; using network ${formatCidr(net)}`);
    for (let other = 0; other < si; other++) {
      const o = networks[other];
      if (o && rangesOverlap(net.first, net.last, o.first, o.last)) {
        error(out, [...here, 'subnet'], 'CFG_SUBNET_OVERLAP', `got ${formatCidr(net)}, which overlaps dhcp.subnets[${other}] (${formatCidr(o)}); expected separate networks`);
      }
    }
    if (subnet.router !== undefined && !networkContains(net, ipv4ToNumber(subnet.router))) {
      error(out, [...here, 'router'], 'CFG_ROUTER_OUTSIDE_SUBNET', `got ${subnet.router}, expected an address inside ${formatCidr(net)}`);
    }
    subnet.pools.forEach((pool, pi) => {
      const path: ConfigPath = [...here, 'pools', pi];
      const start = ipv4ToNumber(pool.start);
      const end = ipv4ToNumber(pool.end);
      let inside = true;
      for (const [key, address] of [['start', start], ['end', end]] as const) {
        if (!networkContains(net, address)) {
          inside = false;
          error(out, [...path, key], 'CFG_POOL_OUTSIDE_SUBNET', `got ${numberToIpv4(address)}, expected an address inside ${formatCidr(net)}`);
        }
      }
      if (start > end) {
        error(out, path, 'CFG_POOL_RANGE', `got start ${pool.start} after end ${pool.end}, expected start <= end`);
        return;
      }
      // The network and broadcast addresses cannot be leased (RFC 919/922); /31 and /32 have neither.
      if (inside && net.prefix <= 30 && (start === net.first || end === net.last)) {
        const which = start === net.first ? `${pool.start} is the network address` : `${pool.end} is the broadcast address`;
        error(out, path, 'CFG_POOL_RANGE', `got ${pool.start}-${pool.end}, but ${which} of ${formatCidr(net)}; expected host addresses only`);
      }
      for (const earlier of pools) {
        if (rangesOverlap(start, end, earlier.start, earlier.end)) {
          error(out, path, 'CFG_POOL_OVERLAP', `got ${pool.start}-${pool.end}, which overlaps ${formatPath(earlier.path)} (${numberToIpv4(earlier.start)}-${numberToIpv4(earlier.end)}); expected pools that do not share addresses`);
        }
      }
      pools.push({ path, start, end });
    });
  });
  return networks;
}

function checkReservations(config: BootfleetConfig, networks: readonly (Ipv4Network | null)[], out: SemanticFindings): void {
  const macs = new Map<string, number>();
  const addresses = new Map<string, number>();
  config.dhcp.reservations.forEach((r, i) => {
    const path: ConfigPath = ['dhcp', 'reservations', i];
    const firstMac = macs.get(r.mac);
    if (firstMac !== undefined) {
      error(out, [...path, 'mac'], 'CFG_DUPLICATE_MAC', `got ${r.mac} again, expected one reservation per MAC (first at dhcp.reservations[${firstMac}])`);
    } else macs.set(r.mac, i);
    const firstAddress = addresses.get(r.address);
    if (firstAddress !== undefined) {
      error(out, [...path, 'address'], 'CFG_DUPLICATE_ADDRESS', `got ${r.address} again, expected each address reserved once (first at dhcp.reservations[${firstAddress}])`);
    } else addresses.set(r.address, i);
    const address = ipv4ToNumber(r.address);
    if (!networks.some((net) => net !== null && networkContains(net, address))) {
      const known = networks.filter((n): n is Ipv4Network => n !== null).map(formatCidr);
      const expected = known.length ? `an address inside one of ${known.join(', ')}` : 'a subnet in dhcp.subnets to contain it (there are none)';
      error(out, [...path, 'address'], 'CFG_RESERVATION_OUTSIDE_SUBNET', `got ${r.address}, expected ${expected}`);
    }
  });
  const machineMacs = new Map<string, number>();
  config.machines.forEach((m, i) => {
    const first = machineMacs.get(m.mac);
    if (first !== undefined) {
      error(out, ['machines', i, 'mac'], 'CFG_DUPLICATE_MAC', `got ${m.mac} again, expected each machine once (first at machines[${first}])`);
    } else machineMacs.set(m.mac, i);
  });
}

function checkProfiles(config: BootfleetConfig, out: SemanticFindings): void {
  const names = Object.keys(config.profiles);
  const expected = names.length ? `one of the profiles: ${names.join(', ')}` : 'a profile, but profiles is empty';
  if (names.length === 0) {
    warn(out, ['profiles'], 'no profiles are defined, so iPXE clients get no boot script');
  } else if (!Object.hasOwn(config.profiles, config.boot.defaultProfile)) {
    error(out, ['boot', 'defaultProfile'], 'CFG_UNKNOWN_PROFILE', `got "${config.boot.defaultProfile}", expected ${expected}`);
  }
  config.machines.forEach((m, i) => {
    if (!Object.hasOwn(config.profiles, m.profile)) {
      error(out, ['machines', i, 'profile'], 'CFG_UNKNOWN_PROFILE', `got "${m.profile}", expected ${expected}`);
    }
  });
  for (const [name, p] of Object.entries(config.profiles)) {
    if (p.install !== undefined && !Object.hasOwn(config.profiles, p.install)) {
      error(out, ['profiles', name, 'install'], 'CFG_UNKNOWN_PROFILE', `got "${p.install}", expected ${expected}`);
    }
    if (p.kind === 'pxelinux' && p.default !== undefined && !p.entries.some((e) => e.label === p.default)) {
      error(out, ['profiles', name, 'default'], 'CFG_VALUE', `got "${p.default}", expected the label of one of its entries: ${p.entries.map((e) => e.label).join(', ')}`);
    }
  }
}

/** A PXE ROM reads each option 43 sub-option as one TLV of at most 255 bytes (PXE 2.1 §2.4.1). */
const PXE_SUBOPTION_MAX = 255;

function checkMenu(config: BootfleetConfig, out: SemanticFindings): void {
  const menu = config.boot.menu;
  if (menu === undefined) return;
  if (!config.interfaces.some((i) => i.mode === 'proxy')) {
    warn(out, ['boot', 'menu'], 'boot.menu is shown only on interfaces in proxy mode, and there are none');
  }
  // One client sees the items of its own architecture: each arch's menu (43.9: 3 bytes + label
  // per item) and boot server list (43.8: 7 bytes per item that boots a file) must fit 255 bytes.
  const arches = new Set(menu.items.flatMap((item) => pxeCsaArches[item.csa]));
  for (const arch of arches) {
    const seen = menu.items.filter((item) => pxeCsaArches[item.csa].includes(arch));
    const menuBytes = seen.reduce((n, item) => n + 3 + Buffer.byteLength(item.label, 'utf8'), 0);
    const serverBytes = seen.filter((item) => item.plan !== 'local').length * 7;
    if (menuBytes > PXE_SUBOPTION_MAX || serverBytes > PXE_SUBOPTION_MAX) {
      error(out, ['boot', 'menu', 'items'], 'CFG_VALUE', `got ${seen.length} items for client arch ${arch} taking ${Math.max(menuBytes, serverBytes)} bytes, expected at most ${PXE_SUBOPTION_MAX} (3 bytes + label per item): shorten the labels or drop items`);
    }
  }
}
