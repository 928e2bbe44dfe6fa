/** "00".."ff" by byte value: MACs and client keys are formatted for every DHCP request, without a toString + padStart per byte. */
export const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
