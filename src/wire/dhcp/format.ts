import type { DhcpPacket } from './packet.js';
/** Stable, readable text dump of a packet. */
export function formatPacket(p: DhcpPacket): string { void p; return ''; }
