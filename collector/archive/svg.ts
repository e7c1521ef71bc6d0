// A self-contained SVG line chart: no script, no external font or stylesheet, so that it opens
// in any browser on an air-gapped admin host. Nothing here knows about LIO.
import { formatClock, formatDay } from './time.js';

export interface ChartLine {
  label: string;
  /** Full name, shown as the line's tooltip. */
  title: string;
  /**
   * [from ms, to ms, value]: the value held over that span (a rate is an average over the time
   * between two snapshots), drawn as steps; spans that do not touch leave a break.
   */
  steps: Array<[number, number, number]>;
  /** Times at which the line restarted (marked with a dashed vertical line). */
  marks: number[];
}

export interface Chart {
  title: string;
  subtitle: string;
  yLabel: string;
  from: number;
  to: number;
  lines: ChartLine[];
  /** Shaded spans of missing data, [from, to, description]. */
  gaps: Array<[number, number, string]>;
  /** Explains the marks in the legend, e.g. "counter reset". */
  markMeaning: string;
}

const WIDTH = 1200;
const PLOT = { left: 90, right: 30, top: 78, height: 480 };
const LEGEND_LINE = 18;
const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#6b6b6b'];
const DASHES = ['', '6 3', '2 2', '8 3 2 3'];
const FONT = 'font-family="DejaVu Sans, Verdana, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const r1 = (n: number) => String(Math.round(n * 10) / 10);

/** A round step (1, 2 or 5 times a power of ten) giving at most `count` intervals over span. */
export function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

const TIME_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 20160, 43200];

/** Tick times at round local times (on the hour, at midnight ...), at most about 12. */
export function timeTicks(from: number, to: number): number[] {
  const spanMin = (to - from) / 60_000;
  const stepMin = TIME_STEPS_MIN.find((s) => spanMin / s <= 12) ?? 43200;
  const start = new Date(from);
  start.setHours(0, 0, 0, 0);
  if (stepMin >= 1440) start.setDate(start.getDate() - 1);
  const ticks: number[] = [];
  for (let t = new Date(start); t.getTime() <= to; ) {
    if (t.getTime() >= from) ticks.push(t.getTime());
    if (stepMin >= 1440) t.setDate(t.getDate() + stepMin / 1440);
    else t = new Date(t.getTime() + stepMin * 60_000);
  }
  return ticks;
}

function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return value.toFixed(decimals);
}

export function renderChart(chart: Chart): string {
  const plotWidth = WIDTH - PLOT.left - PLOT.right;
  const bottom = PLOT.top + PLOT.height;
  const legendTop = bottom + 62;
  const height = legendTop + (chart.lines.length + 1) * LEGEND_LINE + 16;
  const span = Math.max(chart.to - chart.from, 60_000);
  const x = (t: number) => PLOT.left + ((t - chart.from) / span) * plotWidth;

  let max = 0;
  for (const line of chart.lines) for (const [, , v] of line.steps) if (v > max) max = v;
  const yStep = niceStep(max > 0 ? max : 1, 6);
  const yMax = Math.max(yStep, Math.ceil((max > 0 ? max : 1) / yStep - 1e-9) * yStep);
  const y = (v: number) => bottom - (v / yMax) * PLOT.height;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`);
  out.push(`<title>${escapeXml(chart.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${PLOT.left}" y="26" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>`);
  out.push(`<text x="${PLOT.left}" y="48" fill="#444444">${escapeXml(chart.subtitle)}</text>`);

  // Missing data first, under everything else.
  for (const [from, to, what] of chart.gaps) {
    out.push(
      `<rect class="gap" x="${r1(x(from))}" y="${PLOT.top}" width="${r1(Math.max(x(to) - x(from), 1))}" height="${PLOT.height}" fill="#e6e6e6"><title>${escapeXml(what)}</title></rect>`,
    );
  }

  // Grid and y axis labels.
  out.push(`<g class="y-axis" stroke="#dddddd">`);
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    out.push(`<line x1="${PLOT.left}" y1="${r1(y(v))}" x2="${PLOT.left + plotWidth}" y2="${r1(y(v))}"/>`);
  }
  out.push(`</g>`);
  out.push(`<g class="y-labels" text-anchor="end" fill="#333333">`);
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    out.push(`<text x="${PLOT.left - 8}" y="${r1(y(v) + 4)}">${formatTick(v, yStep)}</text>`);
  }
  out.push(`</g>`);
  out.push(
    `<text class="y-title" transform="translate(22 ${PLOT.top + PLOT.height / 2}) rotate(-90)" text-anchor="middle" fill="#333333">${escapeXml(chart.yLabel)}</text>`,
  );

  // x axis: ticks at round local times; the date under the first tick of each day.
  const ticks = timeTicks(chart.from, chart.to);
  out.push(`<g class="x-axis" stroke="#333333">`);
  out.push(`<line x1="${PLOT.left}" y1="${bottom}" x2="${PLOT.left + plotWidth}" y2="${bottom}"/>`);
  out.push(`<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${bottom}"/>`);
  for (const t of ticks) out.push(`<line x1="${r1(x(t))}" y1="${bottom}" x2="${r1(x(t))}" y2="${bottom + 5}"/>`);
  out.push(`</g>`);
  out.push(`<g class="x-labels" text-anchor="middle" fill="#333333">`);
  let lastDay = '';
  for (const t of ticks) {
    const day = formatDay(new Date(t));
    out.push(`<text x="${r1(x(t))}" y="${bottom + 19}">${formatClock(new Date(t))}</text>`);
    if (day !== lastDay) out.push(`<text x="${r1(x(t))}" y="${bottom + 34}">${day}</text>`);
    lastDay = day;
  }
  out.push(`</g>`);
  out.push(`<text class="x-title" x="${PLOT.left + plotWidth / 2}" y="${bottom + 52}" text-anchor="middle" fill="#333333">local time</text>`);

  // One <path> per line, in steps; a break in the data starts a new subpath.
  chart.lines.forEach((line, i) => {
    const color = COLORS[i % COLORS.length];
    const dash = DASHES[Math.floor(i / COLORS.length) % DASHES.length];
    for (const t of line.marks) {
      out.push(
        `<line class="mark" x1="${r1(x(t))}" y1="${PLOT.top}" x2="${r1(x(t))}" y2="${bottom}" stroke="${color}" stroke-dasharray="3 3"><title>${escapeXml(`${chart.markMeaning}: ${line.label}`)}</title></line>`,
      );
    }
    let d = '';
    let end = NaN;
    for (const [from, to, v] of line.steps) {
      d += from === end ? `V${r1(y(v))}H${r1(x(to))}` : `M${r1(x(from))} ${r1(y(v))}H${r1(x(to))}`;
      end = to;
    }
    out.push(
      `<path class="series" d="${d || `M${PLOT.left} ${bottom}`}" fill="none" stroke="${color}" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${escapeXml(line.title)}</title></path>`,
    );
  });

  // Legend.
  out.push(`<g class="legend">`);
  chart.lines.forEach((line, i) => {
    const top = legendTop + i * LEGEND_LINE;
    const color = COLORS[i % COLORS.length];
    const dash = DASHES[Math.floor(i / COLORS.length) % DASHES.length];
    out.push(
      `<line x1="${PLOT.left}" y1="${top - 4}" x2="${PLOT.left + 28}" y2="${top - 4}" stroke="${color}" stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
    );
    out.push(`<text x="${PLOT.left + 36}" y="${top}">${escapeXml(line.label)}</text>`);
  });
  const keyTop = legendTop + chart.lines.length * LEGEND_LINE;
  out.push(`<rect x="${PLOT.left + 6}" y="${keyTop - 12}" width="16" height="12" fill="#e6e6e6"/>`);
  out.push(`<text x="${PLOT.left + 36}" y="${keyTop}" fill="#444444">missing snapshots (a line across: the average over the gap)</text>`);
  out.push(`<line x1="${PLOT.left + 474}" y1="${keyTop - 12}" x2="${PLOT.left + 474}" y2="${keyTop + 2}" stroke="#444444" stroke-dasharray="3 3"/>`);
  out.push(`<text x="${PLOT.left + 488}" y="${keyTop}" fill="#444444">${escapeXml(chart.markMeaning)}</text>`);
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}
