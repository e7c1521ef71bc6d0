// Backfill: the incident archive (written by the collector's snapshot code, test/support/
// archive-incident.ts) is exported as OpenMetrics, turned into TSDB blocks by the real
// `promtool tsdb create-blocks-from openmetrics`, and a real Prometheus started on those blocks
// answers a range query over the incident with the exact rates, across the failover's counter
// reset. Also: export output is valid for promtool as a whole, every family once, ending in # EOF.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { at, buildIncidentArchive, INITIATOR, W_VALUES } from '../support/archive-incident.js';
import { builtCli } from '../support/archive-run.js';
import { freePort } from '../support/e2e-munin.js';
import { promtool } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lio-backfill-');
const MiB = 1048576;
const W_SERIES = `lio_initiator_lun_written_bytes_total{initiator="${INITIATOR(1)}",lun="0"}`;
let prometheus: ChildProcess | null = null;
let port = 0;
let exported = '';
let exportErr = '';

async function api(path: string, params: Record<string, string>): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/${path}?${new URLSearchParams(params)}`);
  const body = (await response.json()) as any;
  if (body.status !== 'success') throw new Error(`${path}: ${JSON.stringify(body)}`);
  return body.data;
}

beforeAll(async () => {
  const { archive } = await buildIncidentArchive(dir);
  const run = builtCli(['archive', 'export', '--archive', archive, '--from', '2026-11-20 10:40', '--to', '2026-11-20 10:50']);
  expect(run.code).toBe(0);
  exported = run.stdout;
  exportErr = run.stderr;
  writeFileSync(`${dir}/incident.om`, exported);
  promtool(['tsdb', 'create-blocks-from', 'openmetrics', `${dir}/incident.om`, `${dir}/data`]);
  port = await freePort();
  writeFileSync(`${dir}/prometheus.yml`, 'global:\n  scrape_interval: 1m\n');
  prometheus = spawn('/usr/bin/prometheus', [
    `--config.file=${dir}/prometheus.yml`,
    `--storage.tsdb.path=${dir}/data`,
    '--storage.tsdb.retention.time=100y',
    `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`http://127.0.0.1:${port}/-/ready`).catch(() => null))?.ok) {
    if (Date.now() > deadline) throw new Error('prometheus not ready');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 120_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
});

describe('archive export, backfilled into Prometheus', () => {
  test('the export: each family once, counters typed without _total, timestamps of the snapshot minutes, # EOF last', () => {
    expect(exportErr).toBe(
      `lio-collector: warning: skipped ${dir}/archive/20261120/lio-statistics-202611201048.gz: truncated gzip data\n` +
        `lio-collector: warning: skipped ${dir}/archive/20261120/lio-statistics-202611201049.gz: empty file\n` +
        'lio-collector: 8 snapshots read, 2 skipped (unreadable or corrupt; see the warnings above)\n',
    );
    const types = exported.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    expect(types).toContain('# TYPE lio_initiator_lun_written_bytes counter');
    expect(types).toContain('# TYPE drbd_device_read_bytes counter');
    // The archived /proc/drbd (DRBD_FIXTURE, 8.4.0) gives drbd-reactor's drbd_version, and minor 0's
    // six I/O flags its activity log flag (minors 1 and 2 print four: none).
    const minutes = [40, 41, 42, 44, 45, 46, 47, 50];
    expect(exported.split('\n').filter((l) => l.startsWith('drbd_version{'))).toEqual(minutes.map((m) => `drbd_version{kmod="8.4.0"} 1 ${at(10, m).getTime() / 1000}`));
    expect(exported.split('\n').filter((l) => l.startsWith('drbd_device_alsuspended{'))).toEqual(
      minutes.map((m) => `drbd_device_alsuspended{name="drbd0",volume="0",minor="0"} 0 ${at(10, m).getTime() / 1000}`),
    );
    expect(exported.endsWith('\nlio_collector_unreadable_values 0 ' + at(10, 50).getTime() / 1000 + '\n# EOF\n')).toBe(true);
    const w = exported.split('\n').filter((l) => l.startsWith('lio_initiator_lun_written_bytes_total{') && l.includes(`initiator="${INITIATOR(1)}",lun="0"}`));
    expect(w).toEqual(
      [40, 41, 42, 44, 45, 46, 47, 50].map(
        (m) => `lio_initiator_lun_written_bytes_total{fabric="iscsi",target="iqn.2016-09.com.example:iscsitgt01",tpgt="1",initiator="${INITIATOR(1)}",lun="0"} ${W_VALUES[m]! * MiB} ${at(10, m).getTime() / 1000}`,
      ),
    );
  });

  test('a range query over the incident gives the exact rates, across the failover\'s counter reset', async () => {
    // rate over 60 s at each minute: the window [t-60s, t] holds the samples of t-1 and t (none
    // is extrapolated); a minute without both (the gap at 10:43, the skipped 10:48 and 10:49) has no rate.
    const data = await api('query_range', {
      query: `rate(${W_SERIES}[60s])`,
      start: String(at(10, 40).getTime() / 1000),
      end: String(at(10, 50).getTime() / 1000),
      step: '60',
    });
    expect(data.result).toHaveLength(1);
    const points = Object.fromEntries(data.result[0].values.map(([t, v]: [number, string]) => [new Date(t * 1000).getMinutes(), Number(v)]));
    expect(points).toEqual({
      41: (60 * MiB) / 60,
      42: (120 * MiB) / 60,
      // 1300 MiB then 30 MiB after the reset: Prometheus counts the 30 MiB written since.
      45: (30 * MiB) / 60,
      46: (60 * MiB) / 60,
      47: (60 * MiB) / 60,
    });
  });

  test('increase() over the whole incident adds up the traffic on both sides of the reset', async () => {
    // [10:40, 10:50]: 1000 -> 1300 before the reset, 0 -> 330 after it: 300 + 330 MiB.
    const data = await api('query', { query: `increase(${W_SERIES}[600s])`, time: String(at(10, 50).getTime() / 1000) });
    expect(Number(data.result[0].value[1])).toBe((300 + 330) * MiB);
  });
});
