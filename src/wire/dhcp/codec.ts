/**
 * DHCP/BOOTP wire codec: `decodeDhcp` (bytes → typed result, never throws) and `encodeDhcp`
 * (packet → bytes). Pure: no I/O, no clock. Implementation in decode.ts and encode.ts.
 */
export { decodeDhcp, type DhcpDecodeError, type DhcpDecodeErrorCode, type DhcpDecodeResult } from './decode.js';
export { encodeDhcp, type EncodeOptions } from './encode.js';
export { MAX_DECODE_SIZE } from './layout.js';
