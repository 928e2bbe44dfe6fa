/** Typed getters and builders over the lossless option map. */
import type { DhcpPacket, MessageType } from './packet.js';

type Options = Map<number, Buffer>;

export function getMessageType(p: DhcpPacket): MessageType | null { void p; return null; }
export function getU8(opts: Options, code: number): number | null { void opts; void code; return null; }
export function getU16(opts: Options, code: number): number | null { void opts; void code; return null; }
export function getU32(opts: Options, code: number): number | null { void opts; void code; return null; }
export function getIp(opts: Options, code: number): string | null { void opts; void code; return null; }
export function getIps(opts: Options, code: number): string[] | null { void opts; void code; return null; }
export function getString(opts: Options, code: number): string | null { void opts; void code; return null; }
export function getClientArch(opts: Options): number | null { void opts; return null; }
export function getUuid(opts: Options): string | null { void opts; return null; }
export function getParamRequestList(opts: Options): number[] { void opts; return []; }
export function getMaxMessageSize(opts: Options): number | null { void opts; return null; }
export function getUserClasses(opts: Options): string[] { void opts; return []; }
export function getClientId(opts: Options): Buffer | null { void opts; return null; }
export function setU8(opts: Options, code: number, value: number): void { void opts; void code; void value; }
export function setU16(opts: Options, code: number, value: number): void { void opts; void code; void value; }
export function setU32(opts: Options, code: number, value: number): void { void opts; void code; void value; }
export function setIp(opts: Options, code: number, value: string): void { void opts; void code; void value; }
export function setIps(opts: Options, code: number, value: readonly string[]): void { void opts; void code; void value; }
export function setString(opts: Options, code: number, value: string): void { void opts; void code; void value; }
export function setBytes(opts: Options, code: number, value: Uint8Array): void { void opts; void code; void value; }
export function setMessageType(opts: Options, type: MessageType): void { void opts; void type; }
export function decodeSubOptions(buf: Buffer): Map<number, Buffer> | null { void buf; return null; }
export function encodeSubOptions(map: ReadonlyMap<number, Uint8Array>): Buffer { void map; return Buffer.alloc(0); }
export function macOf(p: DhcpPacket): string { void p; return ''; }
