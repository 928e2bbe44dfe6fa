/** Fixed BOOTP/DHCP message layout (RFC 2131 §2, Figure 1) and framing option codes. */

export const OFFSET_OP = 0;
export const OFFSET_HTYPE = 1;
export const OFFSET_HLEN = 2;
export const OFFSET_HOPS = 3;
export const OFFSET_XID = 4;
export const OFFSET_SECS = 8;
export const OFFSET_FLAGS = 10;
export const OFFSET_CIADDR = 12;
export const OFFSET_YIADDR = 16;
export const OFFSET_SIADDR = 20;
export const OFFSET_GIADDR = 24;
export const OFFSET_CHADDR = 28;
export const CHADDR_LENGTH = 16;
export const OFFSET_SNAME = 44;
export const SNAME_LENGTH = 64;
export const OFFSET_FILE = 108;
export const FILE_LENGTH = 128;
export const OFFSET_COOKIE = 236;
/** First byte of the options field. */
export const OFFSET_OPTIONS = 240;

/** RFC 2131 §3: 99.130.83.99 marks the vend/options area as DHCP options. */
export const MAGIC_COOKIE = 0x63825363;

export const OPTION_PAD = 0;
export const OPTION_END = 255;
/** RFC 2132 §9.3. */
export const OPTION_OVERLOAD = 52;
export const OVERLOAD_FILE = 1;
export const OVERLOAD_SNAME = 2;
export const OPTION_MESSAGE_TYPE = 53;
/** RFC 3046 §2.1: a relay appends option 82 last; a server echoes it last. */
export const OPTION_RELAY_AGENT = 82;
export const OPTION_TFTP_SERVER_NAME = 66;
export const OPTION_BOOTFILE_NAME = 67;

/** Longest value one option instance can carry (the length octet); longer values are split (RFC 3396). */
export const MAX_OPTION_CHUNK = 255;

/** Largest message decodeDhcp accepts: a UDP payload cannot be longer, a real DHCP message is far shorter. */
export const MAX_DECODE_SIZE = 65536;
