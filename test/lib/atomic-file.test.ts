// writeFileAtomic and AtomicFile: the content under the final name with exactly the mode asked
// for, whatever the umask, and never a temporary file left behind: not after success, not after
// a failed write, not after abort(). A leftover temporary file of a dead process that had our pid
// is replaced.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AtomicFile, tempName, writeFileAtomic } from '../../lib/atomic-file.js';
import { tempDir } from '../support/tmp.js';

const modeOf = (path: string) => statSync(path).mode & 0o7777;

/** fn run with the process umask set to mask, the umask restored after. */
function withUmask<T>(mask: number, fn: () => T): T {
  const old = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(old);
  }
}

describe('tempName', () => {
  it('is .NAME.PID.tmp, our pid by default', () => {
    expect(tempName('state', 4242)).toBe('.state.4242.tmp');
    expect(tempName('lio_read-2024.gz')).toBe(`.lio_read-2024.gz.${process.pid}.tmp`);
  });
});

describe('writeFileAtomic', () => {
  const base = tempDir();
  let n = 0;
  /** A new empty directory for one test. */
  const fresh = () => {
    const dir = `${base}/t${++n}`;
    mkdirSync(dir);
    return dir;
  };

  for (const umask of [0o022, 0o077, 0o000]) {
    it(`the content and exactly mode 0640 with umask 0${umask.toString(8).padStart(3, '0')}, and nothing else in the directory`, () => {
      const dir = fresh();
      withUmask(umask, () => writeFileAtomic(`${dir}/state`, 'line 1\nline 2\n', 0o640));
      expect(readFileSync(`${dir}/state`, 'utf8')).toBe('line 1\nline 2\n');
      expect(modeOf(`${dir}/state`)).toBe(0o640);
      expect(readdirSync(dir)).toEqual(['state']);
    });
  }

  it('a mode the umask would cut (0666 under umask 077) is kept whole', () => {
    const dir = fresh();
    withUmask(0o077, () => writeFileAtomic(`${dir}/shared`, 'x', 0o666));
    expect(modeOf(`${dir}/shared`)).toBe(0o666);
  });

  it('bytes are written as given; an empty content makes an empty file', () => {
    const dir = fresh();
    writeFileAtomic(`${dir}/bytes`, new Uint8Array([0, 1, 0xfe, 0xff, 0x0a]), 0o600);
    expect([...readFileSync(`${dir}/bytes`)]).toEqual([0, 1, 0xfe, 0xff, 0x0a]);
    writeFileAtomic(`${dir}/empty`, '', 0o600);
    expect(readFileSync(`${dir}/empty`, 'utf8')).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['bytes', 'empty']);
  });

  it('a large content (4 MiB) arrives whole', () => {
    const dir = fresh();
    const content = Buffer.alloc(4 << 20, 'abcdefgh');
    writeFileAtomic(`${dir}/large`, content, 0o644);
    expect(readFileSync(`${dir}/large`).equals(content)).toBe(true);
  });

  it('replaces an existing file: new content, the new mode', () => {
    const dir = fresh();
    writeFileSync(`${dir}/state`, 'the old and longer content\n', { mode: 0o644 });
    writeFileAtomic(`${dir}/state`, 'new\n', 0o600);
    expect(readFileSync(`${dir}/state`, 'utf8')).toBe('new\n');
    expect(modeOf(`${dir}/state`)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state']);
  });

  it('durable false (not synced): the same file, replaced the same way', () => {
    const dir = fresh();
    writeFileSync(`${dir}/state`, 'the old and longer content\n', { mode: 0o644 });
    writeFileAtomic(`${dir}/state`, 'new\n', 0o600, { durable: false });
    expect(readFileSync(`${dir}/state`, 'utf8')).toBe('new\n');
    expect(modeOf(`${dir}/state`)).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state']);
  });

  it('into a directory that does not exist: ENOENT, and nothing is left', () => {
    const dir = fresh();
    expect(() => writeFileAtomic(`${dir}/missing/state`, 'x', 0o640)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('over a non-empty directory (the rename fails): EISDIR, and the temporary file is gone', () => {
    const dir = fresh();
    mkdirSync(`${dir}/occupied`);
    writeFileSync(`${dir}/occupied/inside`, 'keep\n');
    expect(() => writeFileAtomic(`${dir}/occupied`, 'x', 0o640)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(readdirSync(dir)).toEqual(['occupied']);
    expect(readFileSync(`${dir}/occupied/inside`, 'utf8')).toBe('keep\n');
  });

  it("a dead process's temporary file with our pid (mode 000, longer content) is replaced, not an error", () => {
    const dir = fresh();
    const leftover = `${dir}/.state.${process.pid}.tmp`;
    writeFileSync(leftover, 'half-written by a process that died, much longer than the new content', { mode: 0o000 });
    withUmask(0o022, () => writeFileAtomic(`${dir}/state`, 'complete\n', 0o640));
    expect(readFileSync(`${dir}/state`, 'utf8')).toBe('complete\n');
    expect(modeOf(`${dir}/state`)).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['state']);
  });

  it('a leftover temporary name that is a symlink is replaced, its target untouched', () => {
    const dir = fresh();
    writeFileSync(`${dir}/elsewhere`, 'not ours\n', { mode: 0o644 });
    symlinkSync('elsewhere', `${dir}/.state.${process.pid}.tmp`);
    writeFileAtomic(`${dir}/state`, 'ours\n', 0o600);
    expect(readFileSync(`${dir}/state`, 'utf8')).toBe('ours\n');
    expect(readFileSync(`${dir}/elsewhere`, 'utf8')).toBe('not ours\n');
    expect(modeOf(`${dir}/elsewhere`)).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['elsewhere', 'state']);
  });

  it("another pid's temporary file is left alone", () => {
    const dir = fresh();
    writeFileSync(`${dir}/.state.1.tmp`, 'someone else\n');
    writeFileAtomic(`${dir}/state`, 'ours\n', 0o600);
    expect(readdirSync(dir).sort()).toEqual(['.state.1.tmp', 'state']);
    expect(readFileSync(`${dir}/.state.1.tmp`, 'utf8')).toBe('someone else\n');
  });
});

describe('AtomicFile', () => {
  const base = tempDir();
  let n = 0;
  const fresh = () => {
    const dir = `${base}/t${++n}`;
    mkdirSync(dir);
    return dir;
  };

  it('writes under .NAME.PID.tmp with the mode, and gives the final name on commit', () => {
    const dir = fresh();
    const file = withUmask(0o077, () => new AtomicFile(`${dir}/archive.gz`, 0o644));
    expect(file.tempPath).toBe(`${dir}/.archive.gz.${process.pid}.tmp`);
    file.write(Buffer.from('abc'));
    file.write(Buffer.from('de'));
    expect(file.written).toBe(5);
    expect(readdirSync(dir)).toEqual([`.archive.gz.${process.pid}.tmp`]);
    expect(modeOf(file.tempPath)).toBe(0o644);
    expect(existsSync(`${dir}/archive.gz`)).toBe(false);
    file.commit();
    expect(readdirSync(dir)).toEqual(['archive.gz']);
    expect(readFileSync(`${dir}/archive.gz`, 'utf8')).toBe('abcde');
    expect(modeOf(`${dir}/archive.gz`)).toBe(0o644);
  });

  it('abort() leaves nothing, neither the temporary file nor the final name; a second abort() does not throw', () => {
    const dir = fresh();
    const file = new AtomicFile(`${dir}/archive.gz`, 0o640);
    file.write(Buffer.from('partial'));
    expect(readdirSync(dir)).toEqual([`.archive.gz.${process.pid}.tmp`]);
    file.abort();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => file.abort()).not.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('abort() after commit() keeps the committed file', () => {
    const dir = fresh();
    const file = new AtomicFile(`${dir}/archive.gz`, 0o640);
    file.write(Buffer.from('whole'));
    file.commit();
    expect(() => file.abort()).not.toThrow();
    expect(readdirSync(dir)).toEqual(['archive.gz']);
    expect(readFileSync(`${dir}/archive.gz`, 'utf8')).toBe('whole');
  });

  it('in a directory that does not exist: the constructor throws ENOENT', () => {
    const dir = fresh();
    expect(() => new AtomicFile(`${dir}/missing/archive.gz`, 0o640)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(readdirSync(dir)).toEqual([]);
  });
});
