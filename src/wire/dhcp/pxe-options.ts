/** PXE option 43 content (PXE spec 2.1 §2.4.1). */
export interface PxeVendorOptions {
  discoveryControl?: number;
  bootServers?: { type: number; ips: string[] }[];
  menu?: { type: number; description: string }[];
  prompt?: { timeout: number; text: string };
  bootItem?: { type: number; layer: number };
}
export function encodePxeVendorOptions(o: PxeVendorOptions): Buffer { void o; return Buffer.alloc(0); }
export function decodePxeVendorOptions(buf: Buffer): PxeVendorOptions | null { void buf; return null; }
