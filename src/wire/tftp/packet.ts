/**
 * TFTP packets as typed data (RFC 1350 §5, option extension RFC 2347).
 *
 * Strings on the wire are NUL-terminated; here they are plain strings. Option names and
 * the transfer mode are compared case-insensitively by every RFC that defines them, so
 * they are stored lower-cased; option values are kept as sent.
 */

/** RFC 1350 §5 opcodes, plus OACK from RFC 2347. */
export enum Opcode {
  Rrq = 1,
  Wrq = 2,
  Data = 3,
  Ack = 4,
  Error = 5,
  Oack = 6,
}

/** RFC 1350 appendix error codes, plus 8 from RFC 2347 (option negotiation refused). */
export enum TftpErrorCode {
  NotDefined = 0,
  FileNotFound = 1,
  AccessViolation = 2,
  DiskFull = 3,
  IllegalOperation = 4,
  UnknownTransferId = 5,
  FileExists = 6,
  NoSuchUser = 7,
  OptionsRefused = 8,
}

/** One requested or acknowledged option: `[name lower-cased, value as sent]`. */
export type TftpOption = readonly [name: string, value: string];

export interface TftpRequest {
  opcode: Opcode.Rrq | Opcode.Wrq;
  filename: string;
  /** Lower-cased: `octet`, `netascii` or `mail` (or whatever the peer sent). */
  mode: string;
  /** In the order sent; duplicates kept (the server decides which one counts). */
  options: TftpOption[];
}

export interface TftpData {
  opcode: Opcode.Data;
  /** 0..65535 on the wire; block numbers roll over past 65535. */
  block: number;
  /** A view into the decoded buffer (not a copy). */
  data: Uint8Array;
}

export interface TftpAck {
  opcode: Opcode.Ack;
  block: number;
}

export interface TftpError {
  opcode: Opcode.Error;
  code: number;
  message: string;
}

export interface TftpOack {
  opcode: Opcode.Oack;
  options: TftpOption[];
}

export type TftpPacket = TftpRequest | TftpData | TftpAck | TftpError | TftpOack;

/**
 * Caps on what a peer controls in one packet. RFC 1350 expects requests to fit in 512
 * bytes, so a longer name is hostile or broken; 16 options is several times what any
 * firmware sends (EDK2 sends three).
 */
export const TFTP_LIMITS = {
  maxFilenameBytes: 512,
  maxModeBytes: 16,
  maxOptions: 16,
  maxOptionNameBytes: 64,
  maxOptionValueBytes: 255,
  maxErrorMessageBytes: 512,
} as const;

/** Largest block size RFC 2348 allows: 65535 - 20 (IP) - 8 (UDP) - 4 (TFTP) + slack per the RFC. */
export const MAX_BLKSIZE = 65464;
/** RFC 2348 lower bound. */
export const MIN_BLKSIZE = 8;
/** RFC 1350 block size when no option is negotiated. */
export const DEFAULT_BLKSIZE = 512;
