/**
 * DHCP/BOOTP wire codec: `decodeDhcp` (bytes → typed result, never throws) and `encodeDhcp`
 * (packet → bytes). Pure: no I/O, no clock. Implementation in decode.ts and encode.ts.
 */
export { DHCP_DECODE_ERRORS, type DhcpDecodeError, type DhcpDecodeErrorCode } from './errors.js';
export { decodeDhcp, type DhcpDecodeResult } from './decode.js';
export { encodeDhcp, type EncodeOptions } from './encode.js';
export { MAX_DECODE_SIZE } from './layout.js';
