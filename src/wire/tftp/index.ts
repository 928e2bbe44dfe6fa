export * from './packet.js';
export * from './errors.js';
export * from './codec.js';
export * from './netascii.js';
