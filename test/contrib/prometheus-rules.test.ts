// contrib/prometheus: the alert rules pass `promtool check rules` and their unit tests
// (`promtool test rules`, exact labels and annotation texts); a rule changed makes them fail.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { PROMTOOL, promtool } from '../support/prometheus.js';
import { tempDir } from '../support/tmp.js';

const CONTRIB = 'contrib/prometheus';

describe('contrib/prometheus alert rules', () => {
  test('promtool check rules: 10 rules', () => {
    expect(promtool(['check', 'rules', `${CONTRIB}/lio-munin.rules.yml`])).toBe(`Checking ${CONTRIB}/lio-munin.rules.yml\n  SUCCESS: 10 rules found\n\n`);
  });

  test('promtool test rules: every alert at its time, with its exact labels and texts', () => {
    expect(promtool(['test', 'rules', 'lio-munin.rules.test.yml'], CONTRIB)).toBe('Unit Testing:  lio-munin.rules.test.yml\n  SUCCESS\n\n');
  });

  test('the unit tests catch a changed rule', () => {
    const dir = tempDir('lio-rules-');
    copyFileSync(`${CONTRIB}/lio-munin.rules.test.yml`, `${dir}/lio-munin.rules.test.yml`);
    const rules = readFileSync(`${CONTRIB}/lio-munin.rules.yml`, 'utf8');
    writeFileSync(`${dir}/lio-munin.rules.yml`, rules.replace('drbd_device_quorum == 0', 'drbd_device_quorum == 2'));
    const run = spawnSync(PROMTOOL, ['test', 'rules', 'lio-munin.rules.test.yml'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('alertname: DrbdQuorumLost, time: 2m');
  });
});
