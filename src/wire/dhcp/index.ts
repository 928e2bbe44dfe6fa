export * from './packet.js';
export * from './codec.js';
export * from './options.js';
export * from './option-registry.js';
export * from './pxe-options.js';
export * from './format.js';
