// 64-bit counters above 2^53 (where a float is no longer exact: 2^64-121 and 2^64-61 are the
// same double) through archive series, diff and plot: exact values and increases, a wrap at
// 2^64, a reset.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { archiveCommand } from '../../support/archive-run.js';
import { tempDir } from '../../support/tmp.js';

const P = '/sys/kernel/config/target/iscsi/iqn.2026-11.com.example:t1/tpgt_1/lun/lun_0/statistics/scsi_tgt_port/in_cmds';
const MAX64 = 2n ** 64n - 1n;
/** 10:00 ... 10:04: +60 a minute up to 2^64-1, a wrap to 59 (+60), then a reset to 5. */
const BIG = [MAX64 - 120n, MAX64 - 60n, MAX64, 59n, 5n];
/** The same minutes near 2^32, where floats are exact: the same increases, a 32-bit wrap. */
const SMALL = [2n ** 32n - 121n, 2n ** 32n - 61n, 2n ** 32n - 1n, 59n, 5n];
const WINDOW = ['--from', '2026-11-30 09:59', '--to', '2026-11-30 10:05'];
const NOW = new Date(2026, 10, 30, 12, 0);

function archiveOf(name: string, values: bigint[]): string {
  const archive = join(tempDir('lio-archive-big-'), name);
  mkdirSync(`${archive}/20261130`, { recursive: true });
  values.forEach((value, minute) => {
    writeFileSync(`${archive}/20261130/lio-statistics-2026113010${String(minute).padStart(2, '0')}.gz`, gzipSync(`[${P}]\n${value}\n\n`));
  });
  return archive;
}

describe('counters above 2^53', () => {
  const big = archiveOf('big', BIG);

  it('archive series --csv: exact values and increases, the wrap at 2^64 and the reset', async () => {
    expect(await archiveCommand(['series', '*/in_cmds', '--archive', big, '--csv', ...WINDOW], NOW)).toEqual({
      code: 0,
      stdout: [
        'time,path,value,delta,seconds,rate,unit,event,missing',
        `2026-11-30 10:00,${P},18446744073709551495,,,,/s,,0`,
        `2026-11-30 10:01,${P},18446744073709551555,60,60,1,/s,,0`,
        `2026-11-30 10:02,${P},18446744073709551615,60,60,1,/s,,0`,
        `2026-11-30 10:03,${P},59,60,60,1,/s,wrap,0`,
        `2026-11-30 10:04,${P},5,,60,,/s,reset,0`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('archive series --json: the exact digits as JSON numbers', async () => {
    const run = await archiveCommand(['series', '*/in_cmds', '--archive', big, '--json', ...WINDOW], NOW);
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => line.startsWith('{"time"'));
    const t = (minute: number) => new Date(2026, 10, 30, 10, minute).getTime() / 1000;
    expect(rows).toEqual([
      `{"time":"2026-11-30 10:00","timestamp":${t(0)},"path":"${P}","value":18446744073709551495,"delta":null,"seconds":null,"rate":null,"unit":"/s","event":null,"missing":0},`,
      `{"time":"2026-11-30 10:01","timestamp":${t(1)},"path":"${P}","value":18446744073709551555,"delta":60,"seconds":60,"rate":1,"unit":"/s","event":null,"missing":0},`,
      `{"time":"2026-11-30 10:02","timestamp":${t(2)},"path":"${P}","value":18446744073709551615,"delta":60,"seconds":60,"rate":1,"unit":"/s","event":null,"missing":0},`,
      `{"time":"2026-11-30 10:03","timestamp":${t(3)},"path":"${P}","value":59,"delta":60,"seconds":60,"rate":1,"unit":"/s","event":"wrap","missing":0},`,
      `{"time":"2026-11-30 10:04","timestamp":${t(4)},"path":"${P}","value":5,"delta":null,"seconds":60,"rate":null,"unit":"/s","event":"reset","missing":0}`,
    ]);
    // Still JSON, whatever a reader then makes of the big numbers.
    expect(JSON.parse(run.stdout).rows).toHaveLength(5);
  });

  it('archive series (table): exact values, the 64-bit wrap named as such', async () => {
    const run = await archiveCommand(['series', '*/in_cmds', '--archive', big, ...WINDOW], NOW);
    expect(run.stdout).toBe(
      [
        P,
        'time                             value  delta     /s  note',
        '2026-11-30 10:00  18446744073709551495      -      -',
        '2026-11-30 10:01  18446744073709551555     60  1.000',
        '2026-11-30 10:02  18446744073709551615     60  1.000',
        '2026-11-30 10:03                    59     60  1.000  64-bit wrap (was 18446744073709551615)',
        '2026-11-30 10:04                     5      -      -  reset (was 59)',
        '',
        '1 counter, 5 stats snapshots (expected every 1 min)',
        '',
      ].join('\n'),
    );
  });

  it('archive diff --stats: the values as archived', async () => {
    const run = await archiveCommand(['diff', '2026-11-30 10:01', '2026-11-30 10:02', '--stats', '--archive', big], NOW);
    expect(run.stdout.split('\n')[2]).toBe(`changed  ${P}  18446744073709551555 -> 18446744073709551615`);
  });

  it('archive plot: the same lines as for the same increases near 2^32', async () => {
    const small = archiveOf('small', SMALL);
    const drawn = async (archive: string) => {
      const out = `${archive}.svg`;
      const run = await archiveCommand(['plot', '*/in_cmds', '--out', out, '--archive', archive, ...WINDOW], NOW);
      expect(run.code).toBe(0);
      const svg = readFileSync(out, 'utf8');
      return { series: [...svg.matchAll(/<path class="series" d="([^"]*)"/g)].map((m) => m[1]), axis: [...svg.matchAll(/<text[^>]*text-anchor="end"[^>]*>([^<]*)</g)].map((m) => m[1]) };
    };
    const bigLines = await drawn(big);
    expect(bigLines).toEqual(await drawn(small));
    expect(bigLines.series).toHaveLength(1);
  });
});
