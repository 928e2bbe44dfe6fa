/**
 * Escaping per target language. A value from the inventory (a label, a hostname a DHCP client
 * sent, a UUID) is data: whatever it holds, it must stay one value of the language it lands in and
 * never become syntax. Each function here is total (it never fails) and idempotent on the
 * characters it keeps.
 *
 * Why each rule (the parsers these targets meet):
 * - iPXE (src/core/exec.c): a script line is split on whitespace; a token `||`, `&&` or `;` ends
 *   a command and starts the next, a token starting with `#` comments out the rest of the line;
 *   each token is then expanded with `${setting}`, and expansion is repeated over its own output,
 *   so no literal `${…}` can ever pass. There is no quoting and no escape character.
 * - Linux command line (lib/cmdline.c `next_arg`): parameters are split on spaces; double quotes
 *   group, and a `"` inside a value cannot be written at all.
 * - PXELINUX config: one directive a line; `APPEND` takes the rest of its line.
 * - Preseed (debconf): one directive a line; a trailing backslash joins the next line.
 * - Shell: inside single quotes nothing is special but `'` itself.
 */

/** Kept as they are in URLs: RFC 3986 unreserved, plus the separators a URL value may carry. */
const URL_KEEP = /[A-Za-z0-9\-._~/:@!*+,=?]/;

/**
 * A value inside a URL (the kernel, initrd, chain or sanboot fields). Everything else is
 * percent-encoded, UTF-8 (RFC 3986 §2.1), so it reaches the server byte for byte: iPXE decodes
 * `%XX` when it parses the URI, after its script parser is done, so whitespace, `$`, `{`, `#`,
 * `&`, `;`, `|` and `%` itself are harmless once encoded.
 */
export function escapeUrlValue(value: string): string {
  let out = '';
  for (const ch of value) {
    if (URL_KEEP.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A URI component (the `url` filter): only RFC 3986 unreserved characters stay. */
export function encodeUrlComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Kept in a kernel command line value: no space, quote, `$`, brace, `|`, `&`, `;`, `#`, backslash or non-ASCII. */
const CMDLINE_KEEP = /[A-Za-z0-9\-._~/:@!*+,=?%^]/;

/**
 * A value inside a kernel command line, which reaches the kernel through an iPXE `kernel` line or a
 * PXELINUX `APPEND` line. Neither the kernel nor iPXE has an escape character, so a value cannot
 * carry a space, a quote or `${`: every character outside the kept set becomes `_`, and the value
 * stays one parameter (or one parameter's value), never a new iPXE command, never a new parameter.
 */
export function escapeCmdlineValue(value: string): string {
  let out = '';
  for (const ch of value) out += CMDLINE_KEEP.test(ch) ? ch : '_';
  return out;
}

/** Line breaks of every kind (C0, DEL, C1, U+2028/2029): each would start a new line somewhere. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

/** Text in a PXELINUX config line (`MENU LABEL`, `MENU TITLE`): one line, so control characters become spaces. */
export function escapePxelinuxText(value: string): string {
  return value.replace(CONTROL, ' ');
}

/**
 * A value in a preseed line (`d-i netcfg/get_hostname string {{ hostname }}`): control characters
 * become spaces (a new line would be a new directive) and backslashes `_` (a trailing one would
 * join the next directive onto this value).
 */
export function escapePreseedValue(value: string): string {
  return value.replace(CONTROL, ' ').replace(/\\/g, '_');
}

/**
 * One shell word, single-quoted (the `shell` filter, for commands in a preseed such as
 * `late_command`): `'` becomes `'\''`; control characters become spaces, since the word still sits
 * in a one-line preseed directive. The result never ends in a backslash.
 */
export function shellQuote(value: string): string {
  return `'${value.replace(CONTROL, ' ').replace(/'/g, `'\\''`)}'`;
}

/** Kept in an iPXE `echo` or comment: letters, digits, space and punctuation that is not iPXE syntax. */
const IPXE_TEXT_KEEP = /[A-Za-z0-9 .,:_/=+()@%-]/;

/**
 * Text for the operator in an iPXE script (`echo`): no `$`, brace, `|`, `&`, `;`, `#` or control
 * character, so no expansion, no command terminator and no comment can come out of it.
 */
export function escapeIpxeText(value: string): string {
  let out = '';
  for (const ch of value) out += IPXE_TEXT_KEEP.test(ch) ? ch : '_';
  return out;
}
