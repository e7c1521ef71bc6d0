// The end-to-end suite (test/e2e: real munin-node, munin-update, munin-limits) once more, with
// every plugin a link to the packages' executable (LIO_MUNIN_E2E_PLUGINS, test/support/e2e-munin.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { acquireE2eLock, releaseE2eLock } from '../support/e2e-munin.js';
import { buildPackages, PACKAGE_BUILD_TIMEOUT_MS } from '../support/package.js';

const CHECKOUT = fileURLToPath(new URL('../..', import.meta.url));

beforeAll(() => buildPackages(true), PACKAGE_BUILD_TIMEOUT_MS);

it('the end-to-end suite passes against the packaged executable', async () => {
  // Not beside the main suite's own end-to-end files (see acquireE2eLock); the child runs under this lock.
  await acquireE2eLock();
  let run;
  try {
    run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/e2e', '--maxWorkers', '1'], {
      cwd: CHECKOUT,
      encoding: 'utf8',
      env: { ...process.env, LIO_MUNIN_E2E_PLUGINS: 'package', LIO_MUNIN_E2E_LOCK_HELD: '1', NO_COLOR: '1' },
      timeout: 20 * 60_000,
    });
  } finally {
    releaseE2eLock();
  }
  if (run.status !== 0) console.error(run.stdout, run.stderr);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/Test Files +\d+ passed/);
  expect(run.stdout).not.toMatch(/failed|skipped/);
}, 40 * 60_000);
