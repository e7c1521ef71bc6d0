// archive plot: the SVG is parsed (well-formed XML), its lines are checked against the known
// rates, and a browser screenshot of it is kept in test-artifacts/.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Archive } from '../../../collector/archive/catalog.js';
import { Output } from '../../../collector/archive/output.js';
import { runPlot } from '../../../collector/archive/plot.js';
import { Reporter } from '../../../collector/archive/report.js';
import { at, buildIncidentArchive, INITIATOR, W, type IncidentArchive } from '../../support/archive-incident.js';
import { builtCli } from '../../support/archive-run.js';
import { chromium, CHROMIUM } from '../../support/e2e-browser.js';
import { allElements, parseXml, type XmlElement } from '../../support/archive-xml.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-archive-plot-');
const GLOB = '*initiator0?/lun_0/statistics/scsi_auth_intr/write_mbytes';
const WINDOW = ['--from', '2026-11-20 10:00', '--to', '2026-11-20 11:00'];
let incident: IncidentArchive;
let svgFile: string;
let svg: XmlElement;

beforeAll(async () => {
  incident = await buildIncidentArchive(dir);
  svgFile = join(dir, 'write.svg');
  const result = builtCli(['archive', 'plot', GLOB, '--out', svgFile, '--archive', incident.archive, ...WINDOW]);
  expect(result.stdout).toBe(`${svgFile}: 5 counters, 8 snapshots, 2026-11-20 10:40 - 2026-11-20 10:50\n`);
  expect(result.code).toBe(0);
  svg = parseXml(readFileSync(svgFile, 'utf8'));
});

const elements = (name: string, className?: string) =>
  allElements(svg).filter((e) => e.name === name && (className === undefined || e.attributes.class === className));
const texts = (className: string) => allElements(svg).find((e) => e.attributes.class === className)!.children.map((c) => c.text);
const titleOf = (e: XmlElement) => e.children.find((c) => c.name === 'title')?.text;

describe('plot', () => {
  it('writes a well-formed, self-contained SVG', () => {
    expect(svg.name).toBe('svg');
    expect(svg.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(svg.attributes.width).toBe('1200');
    const text = readFileSync(svgFile, 'utf8');
    // Nothing to fetch: no links, scripts, images or stylesheets.
    expect(text).not.toMatch(/href|<script|<image|<style|@import|url\(/);
  });

  it('has one <path> per counter, named by its full path, with the legend naming what differs', () => {
    const paths = elements('path');
    expect(paths).toHaveLength(5);
    expect(paths.every((p) => p.attributes.class === 'series')).toBe(true);
    const counters = [1, 2, 3, 4, 5].map((n) => W.replace(INITIATOR(1), INITIATOR(n)));
    expect(paths.map(titleOf)).toEqual(counters);
    const legend = allElements(svg).find((e) => e.attributes.class === 'legend')!;
    const labels = legend.children.filter((e) => e.name === 'text').map((e) => e.text);
    expect(labels.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map(INITIATOR));
  });

  it('draws the known rates as steps: 1 MiB/s, 2 MiB/s, the average across the gap, nothing for the reset minute', () => {
    // Plot area: x 90..1170 for 10:40..10:50 (108 px a minute); y 558 (0) up to 78 (2 MiB/s).
    expect(elements('path')[0].attributes.d).toBe('M90 318H198V78H306V318H522M630 318H738V318H846V318H1170');
  });

  it('labels the axes with times and the unit, and shades the missing minutes', () => {
    expect(texts('x-labels')).toEqual(['10:40', '2026-11-20', '10:41', '10:42', '10:43', '10:44', '10:45', '10:46', '10:47', '10:48', '10:49', '10:50']);
    expect(texts('y-labels')).toEqual(['0.0', '0.5', '1.0', '1.5', '2.0']);
    expect(elements('text', 'y-title')[0].text).toBe('MiB/s');
    expect(elements('text', 'x-title')[0].text).toBe('local time');
    expect(elements('rect', 'gap').map(titleOf)).toEqual(['1 missing: 2026-11-20 10:43', '2 missing: 2026-11-20 10:48 - 2026-11-20 10:49']);
    // The failover reset initiator01..04 at 10:45; initiator05 only started then.
    expect(elements('line', 'mark').map((e) => [e.attributes.x1, titleOf(e)])).toEqual(
      [1, 2, 3, 4].map((n) => ['630', `counter reset: ${INITIATOR(n)}`]),
    );
  });

  it('thins long windows to columns holding the highest rate', async () => {
    let stdout = '';
    const out = join(dir, 'thin.svg');
    const ctx = {
      archive: new Archive(incident.archive, () => {}),
      window: { from: at(10, 0), to: at(11, 0) },
      now: at(11, 0),
      out: new Output({ write: (s: string) => (stdout += s) }),
      report: new Reporter({ write: () => true }),
    };
    await runPlot(ctx, W, { out, maxPoints: 4 });
    ctx.out.flush();
    expect(stdout).toContain('1 counter');
    const thin = parseXml(readFileSync(out, 'utf8'));
    const path = allElements(thin).filter((e) => e.name === 'path');
    // Columns of 3 min from 10:40: highest rates 2, 1, 1, and 1 in the last (cut at 10:50).
    expect(path.map((p) => p.attributes.d)).toEqual(['M90 78H414V318H738V318H1062V318H1170']);
    expect(readFileSync(out, 'utf8')).toContain('highest rate per 3 min');
  });

  it('refuses counters of different units in one chart, and a missing --out', () => {
    const mixed = builtCli(['archive', 'plot', '*initiator01/lun_0/statistics/scsi_auth_intr/{write_mbytes,num_cmds}', '--out', join(dir, 'x.svg'), '--archive', incident.archive, ...WINDOW]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toContain(
      'lio-collector: "*initiator01/lun_0/statistics/scsi_auth_intr/{write_mbytes,num_cmds}" matches counters with different units (/s, MiB/s): plot them separately\n',
    );
    const noOut = builtCli(['archive', 'plot', GLOB, '--archive', incident.archive]);
    expect(noOut.code).toBe(1);
    expect(noOut.stderr.split('\n')[0]).toBe("error: required option '--out <file>' not specified");
    const badDir = builtCli(['archive', 'plot', GLOB, '--out', join(dir, 'no/such/dir.svg'), '--archive', incident.archive, ...WINDOW]);
    expect(badDir.stderr).toContain(`lio-collector: cannot write ${join(dir, 'no/such/dir.svg')}: ENOENT\n`);
  });

  const hasChromium = existsSync(CHROMIUM);
  it.skipIf(!hasChromium)('renders in a browser: screenshot kept as test-artifacts/archive-plot.png', async () => {
    const png = resolve('test-artifacts/archive-plot.png');
    mkdirSync('test-artifacts', { recursive: true });
    rmSync(png, { force: true });
    const run = await chromium([`--screenshot=${png}`, '--window-size=1200,800', `file://${svgFile}`], 60_000);
    expect(run.status).toBe(0);
    expect(existsSync(png)).toBe(true);
    const image = readFileSync(png);
    expect(image.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect([image.readUInt32BE(16), image.readUInt32BE(20)]).toEqual([1200, 800]);
    expect(image.length).toBeGreaterThan(10_000); // not a blank page
  });
  if (!hasChromium) console.warn('archive plot: chromium is not installed, the browser screenshot test is skipped (apt-get install chromium)');
});
