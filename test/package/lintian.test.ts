// lintian on the .deb: no error; the warnings are the ones README.md ("lintian") justifies.
import { spawnSync } from 'node:child_process';
import { beforeAll, expect, it } from 'vitest';
import { buildPackages, PACKAGE_BUILD_TIMEOUT_MS, PACKAGES } from '../support/package.js';

beforeAll(() => buildPackages(), PACKAGE_BUILD_TIMEOUT_MS);

it('lintian: no error, and only the warnings README.md justifies', () => {
  const run = spawnSync('lintian', ['--tag-display-limit', '0', PACKAGES.deb], { encoding: 'utf8', timeout: 10 * 60_000 });
  const tags = run.stdout.split('\n').filter((l) => /^[EW]: /.test(l));
  expect(tags.filter((t) => t.startsWith('E: '))).toEqual([]);
  expect(tags).toEqual([
    'W: lio-munin: hardening-no-pie [usr/lib/lio-munin/lio-munin]',
    'W: lio-munin: missing-systemd-timer-for-cron-script [etc/cron.d/lio-collector-metrics]',
    'W: lio-munin: missing-systemd-timer-for-cron-script [etc/cron.d/lio-collector]',
    'W: lio-munin: no-manual-page [usr/bin/lio-collector]',
  ]);
  expect(run.status).toBe(0);
}, 10 * 60_000);
