/**
 * The Prometheus text exposition format (version 0.0.4), written by hand because it is a few
 * lines: `# HELP`, `# TYPE`, then one `name{label="value"} number` line per sample.
 * Label values are escaped as the format requires (backslash, double quote, newline).
 */

export type MetricType = 'counter' | 'gauge';

export interface MetricSample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** `bootfleet_…`, snake case; counters end in `_total`. */
  name: string;
  help: string;
  type: MetricType;
  samples: readonly MetricSample[];
}

/** The content type Prometheus asks for and accepts. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Families in the order given; samples sorted by their labels so scrapes diff cleanly. */
export function formatPrometheus(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const lines = f.samples.map((s) => {
      const labels = Object.entries(s.labels ?? {});
      const text = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      return `${f.name}${text} ${formatValue(s.value)}`;
    });
    out.push(...lines.sort());
  }
  return out.join('\n') + '\n';
}
