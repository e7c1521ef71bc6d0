// A snapshot appears complete or not at all: modes whatever the umask, kill -9 mid-write, the
// leftover temporary file cleaned by the next run, a full disk.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, writeSync, openSync, closeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempName } from '../../lib/atomic-file.js';
import { removeStaleTempFiles } from '../../lib/archive/gzip-file.js';
import { dayStamp } from '../../lib/archive/layout.js';
import { takeSnapshot } from '../../collector/snapshot.js';
import { COLLECTOR, gunzipText, listFiles, requireBuiltCollector, runCollector, waitFor } from '../support/collector-cli.js';
import { buildLioTree, scaledSystem, seedSystem } from '../support/lio-tree.js';
import { tempDir } from '../support/tmp.js';

const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);

beforeAll(() => requireBuiltCollector());

describe('modes: 0640 files, 0750 directories, whatever the umask', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  beforeAll(() => buildLioTree(root, seedSystem()));

  for (const umask of ['000', '077', '022']) {
    it(`umask ${umask}`, () => {
      const archive = `${dir}/archive-${umask}/lio`; // the parent is missing too
      for (const kind of ['stats', 'full']) {
        const run = runCollector(['snapshot', kind, '--root', root, '--archive', archive], { shellPrefix: `umask ${umask}` });
        expect(run).toMatchObject({ status: 0, stderr: '' });
      }
      expect(mode(`${dir}/archive-${umask}`)).toBe('750');
      expect(mode(archive)).toBe('750');
      const [day] = readdirSync(archive);
      expect(mode(`${archive}/${day}`)).toBe('750');
      const files = readdirSync(`${archive}/${day}`);
      expect(files).toHaveLength(2);
      for (const file of files) expect(mode(`${archive}/${day}/${file}`)).toBe('640');
    });
  }

  it('an existing archive directory keeps the mode its administrator gave it', async () => {
    const archive = `${dir}/archive-existing`;
    mkdirSync(archive);
    chmodSync(archive, 0o700);
    await takeSnapshot({ root, archive, kind: 'stats', drbdProc: null });
    expect(mode(archive)).toBe('700');
  });
});

describe('kill -9 in the middle of a large snapshot', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  let expectedEntries = 0;
  beforeAll(async () => {
    buildLioTree(root, scaledSystem(4, 16, 16));
    expectedEntries = (await takeSnapshot({ root, archive: `${dir}/reference`, kind: 'full', drbdProc: null })).entries;
  }, 120_000);

  const tempFiles = (dayDir: string) => (existsSync(dayDir) ? readdirSync(dayDir).filter((n) => n.endsWith('.tmp')) : []);

  // Killed as soon as the temporary file exists, once compressed data is in it, and late.
  for (const [label, minBytes] of [
    ['as the file is created', 0],
    ['after the first compressed data', 1],
    ['near the end', 100_000],
  ] as const) {
    it(`${label}: no final .gz but a complete one, and the next run removes the leftover`, async () => {
      const archive = `${dir}/archive-${minBytes}`;
      const child = spawn(COLLECTOR, ['snapshot', 'full', '--root', root, '--archive', archive], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const killedAt = await waitFor(
        'the temporary file',
        () => {
          for (const day of existsSync(archive) ? readdirSync(archive) : []) {
            for (const name of tempFiles(`${archive}/${day}`)) {
              const size = statSync(`${archive}/${day}/${name}`, { throwIfNoEntry: false })?.size ?? -1;
              if (size >= minBytes) {
                child.kill('SIGKILL');
                return { day, name, size };
              }
            }
          }
          return null;
        },
        60_000,
        1,
      );
      expect(await exited).toBeNull(); // it died of the signal, it did not finish first
      const dayDir = `${archive}/${killedAt.day}`;
      expect(tempFiles(dayDir)).toEqual([killedAt.name]);
      for (const name of readdirSync(dayDir).filter((n) => n.endsWith('.gz'))) execFileSync('gzip', ['-t', `${dayDir}/${name}`]);
      expect(readdirSync(dayDir).filter((n) => n.endsWith('.gz'))).toEqual([]);

      const next = runCollector(['snapshot', 'full', '--root', root, '--archive', archive]);
      expect(next).toMatchObject({ status: 0, stderr: '' });
      for (const day of readdirSync(archive)) {
        expect(tempFiles(`${archive}/${day}`)).toEqual([]);
        for (const name of readdirSync(`${archive}/${day}`)) {
          execFileSync('gzip', ['-t', `${archive}/${day}/${name}`]);
          expect(gunzipText(`${archive}/${day}/${name}`).split('\n[').length).toBe(expectedEntries);
        }
      }
    });
  }
});

describe('leftover temporary files', () => {
  const dir = tempDir('lio-collector-');

  it('removes those of processes that are gone or a day old, keeps running writers and anything else', () => {
    const deadPid = spawnSync('true').pid!;
    const sleeper = spawn('sleep', ['60']);
    try {
      const names = {
        dead: tempName('lio-statistics-202601011200.gz', deadPid),
        running: tempName('lio-202601011259.gz', sleeper.pid!),
        runningButOld: tempName('lio-statistics-202601011201.gz', sleeper.pid!),
        mine: tempName('lio-statistics-202601011202.gz'),
      };
      const foreign = ['.lio-statistics-202601011200.gz.tmp', 'notes.tmp', 'lio-statistics-202601011200.gz', '.lio-x.gz.123.tmp'];
      for (const name of [...Object.values(names), ...foreign]) writeFileSync(`${dir}/${name}`, 'x');
      const twoDaysAgo = (Date.now() - 2 * 86_400_000) / 1000;
      utimesSync(`${dir}/${names.runningButOld}`, twoDaysAgo, twoDaysAgo);

      expect(removeStaleTempFiles(dir).sort()).toEqual([names.dead, names.runningButOld].sort());
      expect(readdirSync(dir).sort()).toEqual([names.running, names.mine, ...foreign].sort());
    } finally {
      sleeper.kill();
    }
  });

  it('strangers named like leftover temporary files (a directory, a symlink, a FIFO, another user\'s file): the built collector\'s snapshot succeeds and leaves them all (issue 18, item 5)', () => {
    const root = `${dir}/strangers-target`;
    const archive = `${dir}/strangers-archive`;
    buildLioTree(root, seedSystem());
    const day = `${archive}/${dayStamp(new Date())}`;
    mkdirSync(day, { recursive: true });
    const deadPid = spawnSync('true').pid!;
    const victim = `${dir}/strangers-victim`;
    writeFileSync(victim, 'keep me\n');
    const names = {
      directory: tempName('lio-statistics-202601011200.gz', deadPid),
      symlink: tempName('lio-statistics-202601011201.gz', deadPid),
      fifo: tempName('lio-statistics-202601011202.gz', deadPid),
      othersFile: tempName('lio-statistics-202601011203.gz', deadPid),
    };
    mkdirSync(`${day}/${names.directory}`);
    writeFileSync(`${day}/${names.directory}/inside`, 'x');
    symlinkSync(victim, `${day}/${names.symlink}`);
    execFileSync('mkfifo', [`${day}/${names.fifo}`]);
    writeFileSync(`${day}/${names.othersFile}`, 'x');
    chownSync(`${day}/${names.othersFile}`, 65534, 65534);

    const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd']);
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(readdirSync(day).filter((n) => n.startsWith('.')).sort()).toEqual(Object.values(names).sort());
    expect(readdirSync(day).filter((n) => !n.startsWith('.'))).toHaveLength(1);
    expect(readdirSync(`${day}/${names.directory}`)).toEqual(['inside']);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  });

  it('a day directory that is a symlink is not followed: the snapshot is refused, nothing written there (issue 18, also-fix)', () => {
    const root = `${dir}/symlink-target`;
    const archive = `${dir}/symlink-archive`;
    const elsewhere = `${dir}/symlink-elsewhere`;
    buildLioTree(root, seedSystem());
    mkdirSync(archive);
    mkdirSync(elsewhere);
    const day = `${archive}/${dayStamp(new Date())}`;
    symlinkSync(elsewhere, day);
    const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^lio-collector: snapshot stats: ${day}/lio-statistics-\\d{12}\\.gz not written: ${day} is a symlink, not followed: day directories are made by lio-collector\n$`));
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('an archive directory writable by every user is made 0750 with one warning; a shared sticky one is refused (issue 18, also-fix)', () => {
    const root = `${dir}/open-target`;
    buildLioTree(root, seedSystem());
    const open = `${dir}/open-archive`;
    mkdirSync(open);
    chmodSync(open, 0o777);
    const run = runCollector(['snapshot', 'stats', '--root', root, '--archive', open, '--no-drbd']);
    expect(run).toMatchObject({ status: 0, stderr: `lio-collector: snapshot stats: archive ${open} was writable by every user (mode 0777): made 0750\n` });
    expect(mode(open)).toBe('750');
    const shared = `${dir}/shared-archive`;
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const refused = runCollector(['snapshot', 'stats', '--root', root, '--archive', shared, '--no-drbd']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`archive ${shared} is a directory shared by every user (mode 1777): give a directory of its own\n`);
    expect(readdirSync(shared)).toEqual([]);
  });

  it('two snapshots writing into the same day directory at once both succeed', async () => {
    const root = `${dir}/target`;
    buildLioTree(root, scaledSystem(1, 8, 8));
    const now = new Date(2026, 5, 1, 12, 0);
    const [stats, full] = await Promise.all([
      takeSnapshot({ root, archive: `${dir}/archive`, kind: 'stats', now, drbdProc: null }),
      takeSnapshot({ root, archive: `${dir}/archive`, kind: 'full', now, drbdProc: null }),
    ]);
    expect(listFiles(`${dir}/archive`)).toEqual(['20260601/lio-202606011200.gz', '20260601/lio-statistics-202606011200.gz']);
    expect(stats.entries).toBeGreaterThan(0);
    expect(full.entries).toBeGreaterThan(stats.entries);
  });
});

describe('a full disk', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const disk = `${dir}/disk`;
  let mounted = false;
  beforeAll(() => {
    buildLioTree(root, scaledSystem(1, 4, 4));
    mkdirSync(disk);
    mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0755', 'lio-collector-test', disk]).status === 0;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [disk]);
  });

  function fill(path: string): void {
    const fd = openSync(path, 'w');
    const block = Buffer.alloc(4096, 0x55);
    try {
      for (;;) writeSync(fd, block);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      closeSync(fd);
    }
  }

  it('a clear error, no file left behind, and success once there is room again', () => {
    const archive = `${disk}/archive`;
    const args = ['snapshot', 'stats', '--root', root, '--archive', archive, '--no-drbd'];
    let run;
    if (mounted) {
      mkdirSync(archive);
      fill(`${disk}/filler`);
      run = runCollector(args);
    } else {
      // No tmpfs allowed here: a file size limit makes the write fail the same way.
      run = runCollector(args, { shellPrefix: "trap '' XFSZ; ulimit -f 1" });
    }
    const day = dayStamp(new Date());
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(
        `^lio-collector: snapshot stats: ${archive}/${day}/lio-statistics-${day}\\d{4}\\.gz not written: ` +
          (mounted ? 'no space left on device \\(ENOSPC\\)\n$' : 'file too large \\(EFBIG\\)\n$'),
      ),
    );
    expect(listFiles(archive)).toEqual([]);
    expect(readdirSync(`${archive}/${day}`)).toEqual([]); // no temporary file either

    if (mounted) unlinkSync(`${disk}/filler`);
    const again = runCollector(args);
    expect(again).toMatchObject({ status: 0, stderr: '' });
    const files = listFiles(archive);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^${day}/lio-statistics-${day}\\d{4}\\.gz$`));
    execFileSync('gzip', ['-t', `${archive}/${files[0]}`]);
  });
});
