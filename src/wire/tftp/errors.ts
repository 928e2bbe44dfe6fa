/**
 * Stable error codes for TFTP decoding. Each is documented in `src/wire/tftp/README.md`
 * (a test keeps the two in step).
 */
export const TFTP_DECODE_ERRORS = {
  TFTP_TRUNCATED: 'the datagram ends before the packet does (short header or missing NUL terminator)',
  TFTP_BAD_OPCODE: 'the opcode is not 1..6',
  TFTP_BAD_REQUEST: 'a request, OACK or string field is malformed (empty file name, text that is not UTF-8)',
  TFTP_NAME_TOO_LONG: 'the file name is longer than TFTP_LIMITS.maxFilenameBytes',
  TFTP_TOO_MANY_OPTIONS: 'more options than TFTP_LIMITS.maxOptions',
  TFTP_OPTION_TOO_LONG: 'an option name or value is longer than its cap',
} as const;

export type TftpDecodeErrorCode = keyof typeof TFTP_DECODE_ERRORS;

export interface TftpDecodeError {
  code: TftpDecodeErrorCode;
  message: string;
  /** Byte offset where the problem was found. */
  offset: number;
}
