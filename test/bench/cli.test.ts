// The built bench's command line: --help answers with the usage and measures nothing; a bad
// argument names itself and exits 2 (nothing is built under bench/work either way).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BENCH = fileURLToPath(new URL('../../dist/bench.js', import.meta.url));
const USAGE = `usage: node dist/bench.js [options]
  --runs N          timed runs of each command after one warm-up (default 7; plugins 3 x N)
  --only LIST       sections to run, comma-separated: plugins,collector,archive,prometheus,packaged (default all)
  --plugin-names LIST  plugins to measure, comma-separated (default all), e.g. lio_disk
  --plugins DIR     built plugins to measure (default dist/plugins), e.g. an older build to compare
  --out FILE        where to write the Markdown results (default bench/results.md)
`;

const bench = (...args: string[]) => {
  if (!existsSync(BENCH)) throw new Error(`${BENCH} is missing: run \`node build.mjs\` (npm test builds first)`);
  const result = spawnSync(process.execPath, [BENCH, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('node dist/bench.js', () => {
  it.each([['--help'], ['-h']])('%s prints the usage on stdout and exits 0', (flag) => {
    expect(bench(flag)).toEqual({ status: 0, stdout: USAGE, stderr: '' });
  });

  it('a bad argument: one line naming it, the usage, exit 2', () => {
    expect(bench('--runs', '0')).toEqual({ status: 2, stdout: '', stderr: `bench: bad argument "--runs"\n${USAGE}` });
  });
});
