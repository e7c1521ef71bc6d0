// The Prometheus text exposition format (version 0.0.4) and OpenMetrics 1.0 text, as the
// Prometheus documentation "Exposition formats" and the OpenMetrics specification define them:
// one HELP and TYPE line per metric family, then its samples; label values escaped (backslash,
// double quote, line feed), HELP text escaped (backslash, line feed).

export type MetricType = 'counter' | 'gauge';

/** Label name and value pairs, in the order they are printed. */
export type Labels = ReadonlyArray<readonly [string, string]>;

export interface Sample {
  labels: Labels;
  /** The value as printed: decimal digits, or a number's shortest text. */
  value: string;
}

export interface MetricFamily {
  /** The full name, with `_total` for counters. */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const LABEL_SPECIAL = /[\\"\n]/;
export const escapeLabelValue = (value: string) => (LABEL_SPECIAL.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value);
export const escapeHelp = (text: string) => text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));

/** Label names found good: the same few come in every sample. */
const goodLabelNames = new Set<string>();

/**
 * `{a="x",b="y"}`, or nothing without labels. Names are checked: a bad one is a bug here. The pairs
 * are read by index: destructuring each pair in the loop makes an iterator per pair, which
 * thousands of label sets pay for (bench/README.md).
 */
export function formatLabels(labels: Labels): string {
  if (labels.length === 0) return '';
  let text = '{';
  for (let i = 0; i < labels.length; i++) {
    const name = labels[i]![0];
    if (!goodLabelNames.has(name)) {
      if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)}`);
      goodLabelNames.add(name);
    }
    text += `${i === 0 ? '' : ','}${name}="${escapeLabelValue(labels[i]![1])}"`;
  }
  return `${text}}`;
}

function checkName(family: MetricFamily): void {
  if (!NAME.test(family.name)) throw new Error(`bad metric name ${JSON.stringify(family.name)}`);
  if (family.type === 'counter' && !family.name.endsWith('_total')) throw new Error(`counter ${family.name} lacks _total`);
}

/** The text format for a scrape (or node_exporter's textfile collector); families without samples are left out. */
export function formatText(families: readonly MetricFamily[]): string {
  let text = '';
  // One labels object can serve samples of several families (a LUN's three counters).
  const labelTexts = new Map<Labels, string>();
  for (const family of families) {
    if (family.samples.length === 0) continue;
    checkName(family);
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      let labels = labelTexts.get(sample.labels);
      if (labels === undefined) labelTexts.set(sample.labels, (labels = formatLabels(sample.labels)));
      text += `${family.name}${labels} ${sample.value}\n`;
    }
  }
  return text;
}

/**
 * The OpenMetrics metadata of a family: a counter family is named without `_total` (its samples
 * keep it). HELP in OpenMetrics also escapes double quotes.
 */
export function openMetricsHeader(family: Pick<MetricFamily, 'name' | 'help' | 'type'>): string {
  const base = family.type === 'counter' ? family.name.slice(0, -'_total'.length) : family.name;
  const help = family.help.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
  return `# TYPE ${base} ${family.type}\n# HELP ${base} ${help}\n`;
}

export const OPENMETRICS_EOF = '# EOF\n';

/** A counter's digits times factor (an integer), exactly (kernel counters can exceed 2^53 once scaled). */
export function scaledDigits(digits: string, factor: number): string {
  if (factor === 1) return digits;
  // Most products are below 2^53, where a double holds them exactly: BigInt only for the others.
  if (digits.length <= 15) {
    const scaled = Number(digits) * factor;
    if (scaled <= Number.MAX_SAFE_INTEGER) return String(scaled);
  }
  return (BigInt(digits) * BigInt(factor)).toString();
}
