/** Public API of the DHCP wire codec: types, decode/encode, typed options, names, PXE option 43, text dump. */
export * from './packet.js';
export * from './codec.js';
export * from './options.js';
export * from './option-registry.js';
export * from './pxe-options.js';
export * from './format.js';
export { isIpv4 } from './ipv4.js';
