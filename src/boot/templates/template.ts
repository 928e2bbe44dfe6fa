/**
 * The template language of profiles: text with `{{ variable }}` and `{{ variable | filter }}`,
 * nothing else — no conditions, loops, includes or code. Every value is escaped for the place it
 * lands (`TemplateTarget`), without the template author asking, and there is no way to turn that
 * off: a label like `x; reboot` or a hostname with a line break stays one inert value.
 *
 * Why not Handlebars, Mustache, Nunjucks or EJS: they escape for HTML only (one global escape
 * function, and `{{{ }}}` / `| safe` to skip it), EJS and Nunjucks run code, and none knows the
 * five languages a boot server writes (iPXE, PXELINUX, kernel command line, preseed/shell, YAML).
 * What is needed is substitution with an escaper chosen by the target and errors that name the
 * profile, field, line and column: about 150 lines, with no dependency to keep up with.
 */
import { encodeUrlComponent, escapeCmdlineValue, escapePreseedValue, escapePxelinuxText, escapeUrlValue, shellQuote } from './escape.js';

/**
 * Where a rendered template goes, and so how its values are escaped:
 * - `url`: a URL iPXE or PXELINUX fetches (kernel, initrd, chain, sanboot root path): percent-encoding.
 * - `cmdline`: a kernel command line (iPXE `kernel`, PXELINUX `APPEND`): unsafe characters become `_`.
 * - `pxelinux-text`: a PXELINUX menu text: one line.
 * - `preseed`: a line of a preseed file (`| shell` makes a single-quoted shell word).
 * - `yaml`: a string scalar in cloud-init data: inserted as it is, because the whole document is then
 *   written by the `yaml` library, which quotes it.
 */
export type TemplateTarget = 'url' | 'cmdline' | 'pxelinux-text' | 'preseed' | 'yaml';

/** The values a template can name. `null`: known, but not known for this machine (renders empty). */
export interface TemplateVars {
  values: Readonly<Record<string, string | null>>;
  labels: Readonly<Record<string, string>>;
}

/** Where a template is: for error messages. */
export interface TemplateSite {
  profile: string;
  /** e.g. `cmdline`, `entries[1].append`, `userData.runcmd[0]`. */
  field: string;
}

export interface TemplateProblem extends TemplateSite {
  /** 1-based, within the field's text. */
  line: number;
  column: number;
  cause: string;
}

export type TemplateResult = { ok: true; text: string } | { ok: false; problem: TemplateProblem };

/** `profile NAME: FIELD, line L, column C: CAUSE`. */
export function formatTemplateProblem(p: TemplateProblem): string {
  return `profile ${p.profile}: ${p.field}, line ${p.line}, column ${p.column}: ${p.cause}`;
}

interface Filter {
  apply(value: string): string;
  /** The filter's output is already safe in these targets (no further escaping). */
  finalFor: readonly TemplateTarget[];
  /** Refused elsewhere, with this reason. */
  onlyIn?: readonly TemplateTarget[];
}

const FILTERS: Readonly<Record<string, Filter>> = {
  /** A URI component: everything but RFC 3986 unreserved characters percent-encoded. */
  url: { apply: encodeUrlComponent, finalFor: ['url', 'cmdline', 'pxelinux-text', 'preseed'] },
  /** A single-quoted shell word, for commands in a preseed (`late_command`). */
  shell: { apply: shellQuote, finalFor: ['preseed'], onlyIn: ['preseed'] },
  lower: { apply: (v) => v.toLowerCase(), finalFor: [] },
  upper: { apply: (v) => v.toUpperCase(), finalFor: [] },
};

const ESCAPE: Readonly<Record<TemplateTarget, (v: string) => string>> = {
  url: escapeUrlValue,
  cmdline: escapeCmdlineValue,
  'pxelinux-text': escapePxelinuxText,
  preseed: escapePreseedValue,
  yaml: (v) => v,
};

type Segment = { text: string } | { name: string; label: string | null; filters: Filter[]; finalFor: readonly TemplateTarget[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;

/**
 * Checks a template against a target and the variable names it may use, without values: what the
 * API and `check-config` run before storing a profile.
 */
export function checkTemplate(text: string, target: TemplateTarget, known: readonly string[], site: TemplateSite): TemplateProblem | null {
  const parsed = parse(text, target, new Set(known), site);
  return parsed.ok ? null : parsed.problem;
}

/** Renders `text`, escaping every value for `target`. */
export function renderTemplate(text: string, target: TemplateTarget, vars: TemplateVars, site: TemplateSite): TemplateResult {
  const parsed = parse(text, target, new Set(Object.keys(vars.values)), site);
  if (!parsed.ok) return parsed;
  let out = '';
  for (const seg of parsed.segments) {
    if ('text' in seg) {
      out += seg.text;
      continue;
    }
    let value = seg.label !== null ? (vars.labels[seg.label] ?? '') : (vars.values[seg.name] ?? '');
    for (const f of seg.filters) value = f.apply(value);
    out += seg.finalFor.includes(target) ? value : ESCAPE[target](value);
  }
  return { ok: true, text: out };
}

function parse(text: string, target: TemplateTarget, known: ReadonlySet<string>, site: TemplateSite): { ok: true; segments: Segment[] } | { ok: false; problem: TemplateProblem } {
  const segments: Segment[] = [];
  let at = 0;
  const fail = (offset: number, cause: string): { ok: false; problem: TemplateProblem } => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return { ok: false, problem: { ...site, line, column, cause } };
  };
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open < 0) {
      segments.push({ text: text.slice(at) });
      break;
    }
    if (open > at) segments.push({ text: text.slice(at, open) });
    const close = text.indexOf('}}', open + 2);
    const newline = text.indexOf('\n', open + 2);
    if (close < 0 || (newline >= 0 && newline < close)) return fail(open, '"{{" is not closed by "}}" on the same line');
    const inner = text.slice(open + 2, close);
    const [head = '', ...filterNames] = inner.split('|').map((s) => s.trim());
    if (head === '') return fail(open, 'empty "{{ }}": expected a variable name');
    let name = head;
    let label: string | null = null;
    if (head.startsWith('labels.')) {
      name = 'labels';
      label = head.slice('labels.'.length);
      if (!LABEL_KEY.test(label)) return fail(open, `"${head}": expected labels.<key>, a key of letters, digits, ".", "_", "/" and "-"`);
    } else if (!NAME.test(head)) {
      return fail(open, `"${head}" is not a variable name (letters, digits and "_"; labels.<key> for a label)`);
    } else if (!known.has(head)) {
      return fail(open, `unknown variable "${head}"; known: ${[...known].sort().join(', ')}, labels.<key>`);
    }
    const filters: Filter[] = [];
    for (const fname of filterNames) {
      const f = FILTERS[fname];
      if (!f) return fail(open, `unknown filter "${fname}"; known: ${Object.keys(FILTERS).join(', ')}`);
      if (f.onlyIn && !f.onlyIn.includes(target)) return fail(open, `filter "${fname}" is for ${f.onlyIn.join(', ')} templates, not ${target}`);
      filters.push(f);
    }
    const last = filters[filters.length - 1];
    segments.push({ name, label, filters, finalFor: last ? last.finalFor : [] });
    at = close + 2;
  }
  return { ok: true, segments };
}
