// archive show is byte-exact into a pipe, and never passes terminal escapes raw to a terminal
// (issue 18, also-fix): a value holding an escape sequence and bytes that are not UTF-8.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR, runCollector } from '../../support/collector-cli.js';
import { buildLioTree, seedSystem } from '../../support/lio-tree.js';
import { tempDir } from '../../support/tmp.js';

const dir = tempDir('lio-show-bytes-');
const archive = `${dir}/archive`;
const HOSTILE = Buffer.concat([Buffer.from('\x1b[31mred\x1b]0;title\x07'), Buffer.from([0xff, 0xfe, 0x0a])]);
let archived: Buffer;

beforeAll(() => {
  const root = `${dir}/target`;
  buildLioTree(root, seedSystem());
  const statistics = `${root}/core/iblock_0`;
  const device = readdirSync(statistics)[0]!;
  writeFileSync(`${statistics}/${device}/statistics/scsi_lu/prod`, HOSTILE);
  expect(runCollector(['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd'])).toMatchObject({ status: 0 });
  const day = readdirSync(archive)[0]!;
  archived = gunzipSync(readFileSync(`${archive}/${day}/${readdirSync(`${archive}/${day}`)[0]}`));
  expect(archived.includes(HOSTILE)).toBe(true);
});

describe('archive show', () => {
  it('into a pipe: exactly the archived bytes, invalid UTF-8 and escapes included', () => {
    const run = spawnSync(COLLECTOR, ['archive', 'show', 'now', '--archive', archive], { encoding: 'buffer' });
    expect(run.status).toBe(0);
    expect(run.stdout.equals(archived)).toBe(true);
  });

  it('on a terminal: escape sequences shown as \\xNN, never sent raw', () => {
    const run = spawnSync('script', ['-qec', `${COLLECTOR} archive show now --archive ${archive}`, '/dev/null'], { encoding: 'buffer' });
    expect(run.status).toBe(0);
    const shown = run.stdout.toString('utf8');
    expect(shown).toContain('\\x1b[31mred\\x1b]0;title\\x07\uFFFD\uFFFD');
    expect(run.stdout.includes(0x1b)).toBe(false);
    expect(run.stdout.includes(0x07)).toBe(false);
  });
});
