// contrib/prometheus: the dashboard and the rules name only metrics we export (or node_exporter's
// textfile collector gives). That every dashboard query runs and answers is checked against the
// real Prometheus in test/e2e/prometheus.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { FAMILIES } from '../../collector/metrics.js';

const EXPORTED = new Set([...FAMILIES.map(([name]) => name), 'node_textfile_mtime_seconds']);
/** Metric names in PromQL: the names in our namespaces and node_exporter's, not label names (before `=`, `!=`, `=~`). */
const metricNames = (expr: string) => [...expr.matchAll(/\b((?:lio|drbd|node)_[a-zA-Z0-9_]+)\b(?!\s*(?:=|!=|=~|!~)[^=])/g)].map((m) => m[1]!);

describe('contrib/prometheus names only exported metrics', () => {
  test('the Grafana dashboard', () => {
    const dashboard = JSON.parse(readFileSync('contrib/prometheus/lio-munin-dashboard.json', 'utf8'));
    const exprs: string[] = dashboard.panels.flatMap((p: { targets?: Array<{ expr: string }> }) => (p.targets ?? []).map((t) => t.expr));
    exprs.push(...dashboard.templating.list.filter((v: { type: string }) => v.type === 'query').map((v: { definition: string }) => v.definition.replace(/label_values\((\w+),/, '$1{},')));
    expect(exprs.length).toBe(27);
    for (const expr of exprs) {
      const names = metricNames(expr);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) expect(EXPORTED.has(name), `${name} in ${expr}`).toBe(true);
    }
  });

  test("drbd-reactor's dashboard: every DRBD metric it queries, its instance variable's drbdreactor_up too", () => {
    // The metric names in LINBIT/drbd-reactor example/grafana-dashboard.json at 45c5491 (2026-06-18).
    const queried = ['drbd_connection_state', 'drbd_device_quorum', 'drbd_device_read_bytes_total', 'drbd_device_unintentionaldiskless', 'drbd_device_written_bytes_total', 'drbd_peerdevice_outofsync_bytes', 'drbd_resource_resources', 'drbd_resource_role', 'drbdreactor_up'];
    expect(queried.filter((name) => !EXPORTED.has(name))).toEqual([]);
  });

  test('the alert rules', () => {
    const exprs = [...readFileSync('contrib/prometheus/lio-munin.rules.yml', 'utf8').matchAll(/^\s+expr: (.*)$/gm)].map((m) => m[1]!);
    expect(exprs.length).toBe(10);
    for (const expr of exprs) for (const name of metricNames(expr)) expect(EXPORTED.has(name), `${name} in ${expr}`).toBe(true);
  });
});
