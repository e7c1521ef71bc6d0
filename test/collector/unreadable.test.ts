// Files that cannot be read (write-only attributes, ENODEV), symlinks, and files or directories
// that vanish during the walk (a LUN deleted meanwhile): the snapshot goes on, and the entry is
// what the original's `cat ... 2>/dev/null` gave: empty.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntryText, headerPrefix } from '../../lib/archive/entry-writer.js';
import { DirectoryCursor } from '../../lib/directory-cursor.js';
import { treeFiles } from '../../collector/file-selection.js';
import { gunzipText, listFiles, requireBuiltCollector, runCollector } from '../support/collector-cli.js';
import { tempDir } from '../support/tmp.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;
const text = (entries: EntryText) => Buffer.concat(entries.takeRest()).toString();

describe('EntryText.addFileIn', () => {
  const dir = tempDir('lio-collector-');
  beforeAll(() => {
    writeFileSync(`${dir}/value`, '12\n');
    symlinkSync('value', `${dir}/link`);
    mkdirSync(`${dir}/directory`);
  });

  const x = headerPrefix('/x');

  it('a file that vanished, a directory, a symlink: an empty entry and the error', () => {
    const entries = new EntryText();
    expect(code(entries.addFileIn(x, 'gone', `${dir}/gone`))).toBe('ENOENT');
    expect(code(entries.addFileIn(x, 'directory', `${dir}/directory`))).toBe('EISDIR');
    expect(code(entries.addFileIn(x, 'link', `${dir}/link`))).toBe('ELOOP'); // never followed
    expect(entries.addFileIn(x, 'value', `${dir}/value`)).toBeNull();
    expect(entries.entries).toBe(4);
    expect(text(entries)).toBe('[/x/gone]\n\n[/x/directory]\n\n[/x/link]\n\n[/x/value]\n12\n\n');
  });

  it('a name that is not ASCII is written as UTF-8', () => {
    writeFileSync(`${dir}/wert-ä`, '7\n');
    const entries = new EntryText();
    expect(entries.addFileIn(x, 'wert-ä', `${dir}/wert-ä`)).toBeNull();
    expect(text(entries)).toBe('[/x/wert-ä]\n7\n\n');
  });

  it('files larger than a read, and a text across chunk boundaries, arrive whole', () => {
    const big = 'x'.repeat(3 << 20) + '\n'; // many chunks
    writeFileSync(`${dir}/big`, big);
    const entries = new EntryText();
    for (let i = 0; i < 20_000; i++) entries.addText(`/x/${i}`, `${i}\n`);
    entries.addFileIn(x, 'big', `${dir}/big`);
    const all = text(entries);
    expect(all.length).toBe(Array.from({ length: 20_000 }, (_, i) => `[/x/${i}]\n${i}\n\n`).join('').length + `[/x/big]\n${big}\n`.length);
    expect(all.endsWith(`[/x/big]\n${big}\n`)).toBe(true);
    expect(all.startsWith('[/x/0]\n0\n\n[/x/1]\n1\n\n')).toBe(true);
  });
});

describe('DirectoryCursor: files opened by name from inside their directory', () => {
  const dir = tempDir('lio-collector-');
  beforeAll(() => {
    mkdirSync(`${dir}/a/b`, { recursive: true });
    writeFileSync(`${dir}/a/one`, '1\n');
    writeFileSync(`${dir}/a/b/two`, '2\n');
  });

  it('gives the name once the working directory is there, and restore() puts it back', () => {
    const home = process.cwd();
    const cursor = new DirectoryCursor(dir);
    try {
      expect(cursor.path('/a', 'one')).toBe('one');
      expect(process.cwd()).toBe(`${dir}/a`);
      expect(cursor.path('/a/b', 'two')).toBe('two');
      expect(process.cwd()).toBe(`${dir}/a/b`);
    } finally {
      cursor.restore();
    }
    expect(process.cwd()).toBe(home);
    cursor.restore(); // twice is harmless
    expect(process.cwd()).toBe(home);
  });

  it('a directory that is gone gives the full path (whose open then fails), and the next one works', () => {
    const home = process.cwd();
    const cursor = new DirectoryCursor(dir);
    try {
      expect(cursor.path('/a', 'one')).toBe('one');
      expect(cursor.path('/gone', 'x')).toBe(`${dir}/gone/x`);
      expect(process.cwd()).toBe(`${dir}/a`);
      expect(cursor.path('/a', 'one')).toBe('one');
      expect(cursor.path('/a/b', 'two')).toBe('two');
    } finally {
      cursor.restore();
    }
    expect(process.cwd()).toBe(home);
  });
});

describe('a directory that vanishes during the walk', () => {
  const dir = tempDir('lio-collector-');
  beforeAll(() => {
    for (const path of ['a/1', 'b/lun_0/statistics/x', 'c/2']) {
      mkdirSync(dirname(`${dir}/${path}`), { recursive: true });
      writeFileSync(`${dir}/${path}`, '1\n');
    }
  });

  it('is reported and skipped; the walk goes on', () => {
    const unlistable: [string, string | undefined][] = [];
    const seen: string[] = [];
    for (const file of treeFiles(dir, (rel, err) => unlistable.push([rel, code(err)]))) {
      seen.push(file.rel);
      if (file.rel === '/a/1') rmSync(`${dir}/b`, { recursive: true });
    }
    expect(seen).toEqual(['/a/1', '/c/2']);
    expect(unlistable).toEqual([['/b', 'ENOENT']]);
  });
});

describe('a write-only attribute (EACCES even for root), as configfs has', () => {
  const dir = tempDir('lio-collector-');
  const root = `${dir}/target`;
  const attribute = `${root}/core/iblock_0/disk1/control`;
  // /proc/sys/vm/compact_memory is write-only for everyone, root included; mounted over a file
  // of the tree it behaves as configfs's write-only attributes.
  let mounted = false;
  beforeAll(() => {
    requireBuiltCollector();
    mkdirSync(dirname(attribute), { recursive: true });
    writeFileSync(attribute, 'readable\n');
    writeFileSync(`${root}/core/iblock_0/disk1/udev_path`, '/dev/vg1/disk1\n');
    mounted =
      existsSync('/proc/sys/vm/compact_memory') &&
      spawnSync('mount', ['--bind', '/proc/sys/vm/compact_memory', attribute]).status === 0 &&
      spawnSync('cat', [attribute]).status !== 0;
  });
  afterAll(() => {
    if (mounted) execFileSync('umount', [attribute]);
  });

  it('an empty entry, nothing on stderr; with --verbose, the reason on stdout', (context) => {
    if (!mounted) context.skip('no bind mount of a write-only /proc/sys file allowed here');
    const quiet = runCollector(['snapshot', 'full', '--root', root, '--archive', `${dir}/a1`]);
    expect(quiet).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const [file] = listFiles(`${dir}/a1`);
    expect(gunzipText(`${dir}/a1/${file}`)).toBe(
      '[/sys/kernel/config/target/core/iblock_0/disk1/control]\n\n' +
        '[/sys/kernel/config/target/core/iblock_0/disk1/udev_path]\n/dev/vg1/disk1\n\n',
    );

    const verbose = runCollector(['snapshot', 'full', '--root', root, '--archive', `${dir}/a2`, '--verbose']);
    expect(verbose.status).toBe(0);
    expect(verbose.stderr).toBe('');
    expect(verbose.stdout.split('\n')[0]).toBe(
      'lio-collector: snapshot full: /sys/kernel/config/target/core/iblock_0/disk1/control: empty entry, permission denied (EACCES)',
    );
    const [file2] = listFiles(`${dir}/a2`);
    expect(gunzipSync(Buffer.from(execFileSync('cat', [`${dir}/a2/${file2}`]))).toString()).toBe(gunzipText(`${dir}/a1/${file}`));
  });
});
