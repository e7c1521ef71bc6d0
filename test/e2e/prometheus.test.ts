// End to end with the real Prometheus from Debian: lio-collector writes the textfile, the real
// node_exporter (textfile collector only, on 127.0.0.1) serves it, the real Prometheus scrapes
// it every second while the counters change, and its HTTP API gives the exact rate() of a LUN's
// read bytes and of a DRBD device's written bytes, fires the replication-disconnected alert when
// the DRBD fixture goes StandAlone, and answers every query of the Grafana dashboard.
//
// Our own instances on free ports with their own data directories: the host's prometheus
// services (if the packages started any) are never used or touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { freePort } from '../support/e2e-munin.js';
import { patternTraffic, setTraffic } from '../support/lio-tree.js';
import { buildSmallTree, TARGET } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-prometheus-e2e-');
const root = `${dir}/target`;
const textfiles = `${dir}/textfiles`;
const procDrbd = `${dir}/proc-drbd`;
const children: ChildProcess[] = [];
let nodePort = 0;
let promPort = 0;

/** /proc/drbd of DRBD 8.4 (format of drbd_proc.c, as in test/fixtures/proc-drbd/linbit-ug84-1.txt): minor 0 writing, minor 1 in a resync. */
function writeProcDrbd(dwKiB: number, standAlone: boolean): void {
  const minor0 = standAlone ? 'cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----' : 'cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----';
  writeFileSync(
    procDrbd,
    [
      'version: 8.4.11 (api:1/proto:86-101)',
      'GIT-hash: 09b6d528b3b3de50462cd7831c0a3791abc665c3 build by linbit@buildsystem.linbit, 2019-04-26 12:00:00',
      ` 0: ${minor0}`,
      `    ns:${dwKiB} nr:0 dw:${dwKiB} dr:656 al:12 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:${standAlone ? 4096 : 0}`,
      ' 1: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----',
      '    ns:0 nr:178176 dw:178176 dr:0 al:0 bm:10 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:1918016',
      "\t[=>..................] sync'ed: 10.8% (1918016/2096128)K",
      '\tfinish: 0:00:59 speed: 32,384 (32,384) want: 40,960 K/sec',
      '',
    ].join('\n'),
  );
}

function start(program: string, args: string[]): ChildProcess {
  const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${program} exited (${code ?? signal}):\n${log}`);
  });
  children.push(child);
  return child;
}
let stopping = false;

/** Polls the asynchronous check until it gives a truthy value; throws after timeoutMs. */
async function poll<T>(what: string, check: () => Promise<T>, timeoutMs: number, stepMs: number): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

async function api(path: string, params: Record<string, string>): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${promPort}/api/v1/${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as any;
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${JSON.stringify(body)}`);
  return body.data;
}

/** Writes the textfile for step k of the traffic, and waits until Prometheus has scraped it three times. */
async function step(k: number, standAlone = false): Promise<void> {
  setTraffic(root, { targets: [smallTargets()] }, patternTraffic(k));
  writeProcDrbd(1000 * k, standAlone);
  const run = runCollector(['metrics', '--root', root, '--drbd-proc', procDrbd, '--textfile', textfiles]);
  expect(run).toMatchObject({ status: 0, stderr: '' });
  const expected = String(101 * k * 1048576);
  await poll(
    `3 scrapes of step ${k}`,
    async () => {
      const data = await api('query', { query: `count_over_time((lio_lun_read_bytes_total{lun="0"} == ${expected})[30s:1s])` });
      return data.result.length === 1 && Number(data.result[0].value[1]) >= 3;
    },
    30_000,
    200,
  );
}

let spec: ReturnType<typeof buildSmallTree>;
const smallTargets = () => spec.targets[0]!;

beforeAll(async () => {
  requireBuiltCollector();
  spec = buildSmallTree(root, 0);
  mkdirSync(textfiles);
  // What a killed writer leaves: a hidden, half-written temporary file. node_exporter reads only *.prom.
  writeFileSync(`${textfiles}/.lio-munin.prom.4242.tmp`, '# HELP lio_lun_read_bytes_total half\nlio_lun_read_bytes_total{lun="0');
  writeProcDrbd(0, false);
  expect(runCollector(['metrics', '--root', root, '--drbd-proc', procDrbd, '--textfile', textfiles]).status).toBe(0);

  nodePort = await freePort();
  start('/usr/bin/prometheus-node-exporter', [
    `--web.listen-address=127.0.0.1:${nodePort}`,
    '--collector.disable-defaults',
    '--collector.textfile',
    `--collector.textfile.directory=${textfiles}`,
  ]);
  // The rules as shipped, but with the replication alert's `for:` shortened from 1m to 2s so
  // that the test does not wait a minute (its `for:` is tested by promtool test rules).
  const rules = readFileSync('contrib/prometheus/lio-munin.rules.yml', 'utf8');
  const shortened = rules.replace(/(alert: DrbdReplicationDisconnected\n(?:.*\n)*?\s+for:) 1m/, '$1 2s');
  expect(shortened).not.toBe(rules);
  writeFileSync(`${dir}/rules.yml`, shortened);
  writeFileSync(
    `${dir}/prometheus.yml`,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${dir}/rules.yml`,
      'scrape_configs:',
      '  - job_name: node',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${nodePort}']`,
      '',
    ].join('\n'),
  );
  promPort = await freePort();
  start('/usr/bin/prometheus', [
    `--config.file=${dir}/prometheus.yml`,
    `--storage.tsdb.path=${dir}/data`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  await poll('prometheus ready', async () => (await fetch(`http://127.0.0.1:${promPort}/-/ready`).catch(() => null))?.ok, 60_000, 200);
}, 120_000);

afterAll(async () => {
  stopping = true;
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

interface RawSample {
  ms: number;
  value: number;
}

/** The raw samples of one series over the last 60 s at time t (a range vector query). */
async function rawSamples(selector: string, t: number): Promise<RawSample[]> {
  const data = await api('query', { query: `${selector}[60s]`, time: String(t) });
  expect(data.result).toHaveLength(1);
  return data.result[0].values.map(([ts, v]: [number, string]) => ({ ms: Math.round(ts * 1000), value: Number(v) }));
}

/**
 * rate() evaluated at the last sample's time over a range reaching back exactly to the first:
 * Prometheus 2.x selects [t - range, t] inclusive, so nothing is extrapolated and rate() is the
 * increase between the two samples over the time between them.
 */
async function exactRate(selector: string, samples: RawSample[]): Promise<{ rate: number; expected: number }> {
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const rangeMs = last.ms - first.ms;
  const data = await api('query', { query: `rate(${selector}[${rangeMs}ms])`, time: (last.ms / 1000).toFixed(3) });
  expect(data.result).toHaveLength(1);
  return { rate: Number(data.result[0].value[1]), expected: (last.value - first.value) / (rangeMs / 1000) };
}

/**
 * Equal but for the last bit of a float64: Go divides by the range as Duration.Seconds() gives it,
 * which can round differently from ours. Any extrapolation or a wrong sample would be off by
 * far more (a scrape interval in the range: percents).
 */
function expectSameRate({ rate, expected }: { rate: number; expected: number }): void {
  expect(Math.abs(rate - expected) / expected).toBeLessThan(4 * Number.EPSILON);
}

describe('Prometheus end to end', () => {
  test('node_exporter serves the textfile, Prometheus gives the exact rate() of a LUN and of a DRBD device', async () => {
    for (const k of [0, 1, 2, 3, 5]) await step(k);
    const now = Date.now() / 1000;
    const lun = `lio_lun_read_bytes_total{target="${TARGET}",lun="0"}`;
    const lunSamples = await rawSamples(lun, now);
    // Exactly the values written, in order (each scraped several times), nothing else.
    expect([...new Set(lunSamples.map((s) => s.value))]).toEqual([0, 1, 2, 3, 5].map((k) => 101 * k * 1048576));
    const lunRate = await exactRate(lun, lunSamples);
    expectSameRate(lunRate);
    expect(lunRate.rate).toBeGreaterThan(0);

    const drbd = 'drbd_device_written_bytes_total{name="drbd0",minor="0"}';
    const drbdSamples = await rawSamples(drbd, now);
    expect([...new Set(drbdSamples.map((s) => s.value))]).toEqual([0, 1, 2, 3, 5].map((k) => 1000 * k * 1024));
    const drbdRate = await exactRate(drbd, drbdSamples);
    expectSameRate(drbdRate);

    // The half-written temporary file was never parsed.
    const errors = await api('query', { query: 'max_over_time(node_textfile_scrape_error[60s])' });
    expect(errors.result.map((r: any) => r.value[1])).toEqual(['0']);
  }, 120_000);

  test('the replication-disconnected alert fires when minor 0 goes StandAlone', async () => {
    const before = await api('alerts', {});
    expect(before.alerts.filter((a: any) => a.labels.alertname === 'DrbdReplicationDisconnected')).toEqual([]);
    await step(6, true);
    const alert = await poll(
      'DrbdReplicationDisconnected firing',
      async () => (await api('alerts', {})).alerts.find((a: any) => a.labels.alertname === 'DrbdReplicationDisconnected' && a.state === 'firing'),
      30_000,
      200,
    );
    expect(alert.labels).toEqual({
      alertname: 'DrbdReplicationDisconnected',
      drbd_connection_state: 'Connected',
      instance: `127.0.0.1:${nodePort}`,
      job: 'node',
      name: 'drbd0',
      severity: 'critical',
    });
    expect(alert.annotations.summary).toBe(`DRBD drbd0 on 127.0.0.1:${nodePort} is not connected to its peer `);
  }, 60_000);

  test('every query of the Grafana dashboard is valid and answers with series we export', async () => {
    const dashboard = JSON.parse(readFileSync('contrib/prometheus/lio-munin-dashboard.json', 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const expr of exprs) {
      const query = expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '10s');
      const data = await api('query', { query });
      if (data.result.length === 0) empty.push(expr);
    }
    expect(empty).toEqual([]);
  }, 60_000);
});
