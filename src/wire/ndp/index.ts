export * from './packet.js';
export * from './errors.js';
export * from './codec.js';
export * from './options.js';
export * from './ipv6-address.js';
export * from './checksum.js';
