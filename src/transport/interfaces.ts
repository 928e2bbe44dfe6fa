/** Looks up the IPv4 address of a kernel interface (in the current network namespace). */
import { networkInterfaces } from 'node:os';

export interface InterfaceAddress {
  name: string;
  address: string;
  netmask: string;
}

/** Thrown when an interface is missing or has no IPv4 address. */
export class InterfaceLookupError extends Error {
  constructor(
    readonly interfaceName: string,
    message: string,
  ) {
    super(message);
    this.name = 'InterfaceLookupError';
  }
}

/**
 * The first IPv4 address of `name`. Throws {@link InterfaceLookupError} naming the
 * interfaces that do exist, so a typo in the config reads as one.
 */
export function interfaceIpv4(
  name: string,
  table: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]> = networkInterfaces(),
): InterfaceAddress {
  const entries = table[name];
  if (!entries) {
    const known = Object.keys(table).sort().join(', ') || 'none';
    throw new InterfaceLookupError(name, `interface ${name} not found (interfaces here: ${known})`);
  }
  const v4 = entries.find((e) => e.family === 'IPv4');
  if (!v4) throw new InterfaceLookupError(name, `interface ${name} has no IPv4 address`);
  return { name, address: v4.address, netmask: v4.netmask };
}
