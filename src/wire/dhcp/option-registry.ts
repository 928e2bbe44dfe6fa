/** Names and value types of DHCP options (RFC 2132 and later). */
export type OptionValueType = 'u8' | 'u16' | 'u32' | 'ip' | 'ips' | 'string' | 'bytes';
export interface OptionInfo { name: string; type: OptionValueType }
export const DHCP_OPTIONS: ReadonlyMap<number, OptionInfo> = new Map();
export function optionName(code: number): string { return DHCP_OPTIONS.get(code)?.name ?? `unknown (${code})`; }
