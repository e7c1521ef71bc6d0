// Output made while it is printed: the LIO fields are made one at a time, and the plugin writes
// standard output in pieces of about 64 KiB. What arrives must be what one string would hold.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lioPlugin } from '../../plugins/graphs/lio.js';
import { renderConfig, renderValues } from '../support/render.js';
import { buildLioTree, patternTraffic, scaledSystem, setTraffic } from '../support/lio-tree.js';
import { DIST_PLUGINS } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const root = `${dir}/target`;
// 2 x 8 x 8: 144 fields, a config of about 60 lines each way past one 64 KiB piece.
const SPEC = scaledSystem(2, 8, 8);

beforeAll(() => {
  buildLioTree(root, SPEC);
  setTraffic(root, SPEC, patternTraffic(7));
});

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(`${DIST_PLUGINS}/lio_read`, args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, target_root: root, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

describe('the LIO fields, made as they are iterated', () => {
  it('are made anew by each iteration, with the same names and values', () => {
    const graph = lioPlugin('read', { target_root: root }).graph(true);
    const first = renderValues(graph);
    expect(first.split('\n')).toHaveLength(144 + 1);
    expect(first).not.toContain(' U\n');
    expect(renderValues(graph)).toBe(first);
  });

  it('leave the working directory as it was, also when the iteration stops early', () => {
    const home = process.cwd();
    const graph = lioPlugin('read', { target_root: root }).graph(true);
    let seen = 0;
    for (const field of graph.fields) {
      expect(field.value).toMatch(/^\d+$/);
      // Counters are read from inside their TPG's directory while the fields are made.
      expect(process.cwd()).toBe(`${root}/iscsi/${SPEC.targets[0]!.wwn}/tpgt_1`);
      if (++seen === 3) break;
    }
    expect(process.cwd()).toBe(home);
    renderValues(graph);
    expect(process.cwd()).toBe(home);
  });
});

describe('standard output in pieces', () => {
  it('config and dirtyconfig through a pipe are byte for byte the rendering as one string', () => {
    const graph = lioPlugin('read', { target_root: root }).graph(true);
    const config = run(['config']);
    expect(config.stderr).toBe('');
    expect(config.status).toBe(0);
    expect(Buffer.byteLength(config.stdout)).toBeGreaterThan(64 * 1024);
    expect(config.stdout).toBe(renderConfig(graph));

    const dirty = run(['config'], { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(dirty.status).toBe(0);
    expect(dirty.stdout).toBe(renderConfig(graph) + renderValues(graph));
  });

  it('a reader that goes away gets one line on stderr and exit status 1, not a stack trace', () => {
    const errors = `${dir}/stderr`;
    const shell = spawnSync('bash', ['-c', '"$0" config 2>"$1" | head -c 100 >/dev/null; echo "${PIPESTATUS[0]}"', `${DIST_PLUGINS}/lio_read`, errors], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, target_root: root },
    });
    expect(shell.stdout).toBe('1\n');
    expect(readFileSync(errors, 'utf8')).toBe('lio_read: stdout closed before all output was written\n');
  });
});
