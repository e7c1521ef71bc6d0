// drbd, drbd_al and drbd_ext keep their config in MUNIN_PLUGSTATE as drbd_state does (its
// test, drbd-state.test.ts, covers the memo's keys and damage): printed again while /proc/drbd
// has the same devices and counters, whatever their values; made anew when a device comes; DRBD 9
// keeps none. Through Debian's munin-run, as nobody.
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyFixture, DRBD9_PROC, THREE_PEERS_EVENTS2, writableDir } from '../support/fake-drbdsetup.js';
import { muninRun } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';

const HEADER = 'version: 8.4.11-1 (api:1/proto:86-101)\nGIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by mockbuild@, 2018-04-26 10:38:05\n';
const device = (minor: number, n: number) =>
  `${String(minor).padStart(2)}: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n` +
  `    ns:${n} nr:0 dw:${n} dr:${2 * n} al:${n % 7} bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n`;
const TWO = HEADER + device(0, 100) + device(1, 200);

function file(path: string, text: string): string {
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return path;
}

describe.each(['drbd', 'drbd_al', 'drbd_ext'])('%s: the config kept', (plugin) => {
  const dir = tempDir();
  const state = writableDir(`${dir}/state`);
  const memoPath = `${state}/lio-munin-${plugin}.config`;
  const config = (text: string) => {
    const run = muninRun(dir, plugin, 'config', { drbd_proc: file(`${dir}/proc-drbd`, text), MUNIN_PLUGSTATE: state });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    return run.stdout;
  };
  /** The title of the kept config changed, its length not, so that a config printed from it can be told. */
  const mark = (text: string) => text.replace(/^graph_title DRBD/m, 'graph_title KEPT');

  it('printed again while the devices and their counters are the same, whatever the values; made anew for a new device', () => {
    const fresh = config(TWO);
    expect(readFileSync(memoPath, 'utf8').endsWith(fresh)).toBe(true);
    writeFileSync(memoPath, mark(readFileSync(memoPath, 'utf8')));
    expect(config(TWO)).toBe(mark(fresh));
    expect(config(HEADER + device(0, 98765) + device(1, 43210))).toBe(mark(fresh));
    const three = config(TWO + device(2, 300));
    expect(three).toContain('graph_title DRBD');
    expect(three).toContain('drbd2');
    expect(readFileSync(memoPath, 'utf8').endsWith(three)).toBe(true);
  });

  it("a DRBD 8 whose srcversion starts with 9 is kept too (only the version line tells DRBD 9)", () => {
    const text = TWO.replace('GIT-hash:', 'srcversion: 9A1B2C3D4E5F60718293A4B\nGIT-hash:');
    const fresh = config(text);
    writeFileSync(memoPath, mark(readFileSync(memoPath, 'utf8')));
    expect(config(text)).toBe(mark(fresh));
  });

  it('DRBD 9: none kept', () => {
    const state9 = writableDir(`${dir}/state9`);
    const run = muninRun(dir, plugin, 'config', {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`),
      drbd_events2: file(`${dir}/events2`, THREE_PEERS_EVENTS2),
      MUNIN_PLUGSTATE: state9,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('.label ');
    expect(readdirSync(state9).filter((f) => f.endsWith('.config'))).toEqual([]);
  });
});
