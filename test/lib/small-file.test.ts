// readSmallFile: a regular file's text, bounded; anything else (a FIFO, a device, a directory)
// refused before a read that could block or never end.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FileTooLarge, NotARegularFile, readSmallFile } from '../../lib/small-file.js';
import { tempDir } from '../support/tmp.js';

describe('readSmallFile', () => {
  const dir = tempDir();

  it("a regular file's text", () => {
    writeFileSync(`${dir}/status`, 'version: 8.4.11\n 0: cs:Connected\n');
    expect(readSmallFile(`${dir}/status`, 4096, 'utf8')).toEqual({ text: 'version: 8.4.11\n 0: cs:Connected\n' });
  });

  it('an empty file is the empty text, even with maxBytes 0', () => {
    writeFileSync(`${dir}/empty`, '');
    expect(readSmallFile(`${dir}/empty`, 4096, 'utf8')).toEqual({ text: '' });
    expect(readSmallFile(`${dir}/empty`, 0, 'utf8')).toEqual({ text: '' });
  });

  it('decodes with the encoding asked for', () => {
    writeFileSync(`${dir}/latin1`, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    expect(readSmallFile(`${dir}/latin1`, 100, 'latin1')).toEqual({ text: 'café\n' });
    expect(readSmallFile(`${dir}/latin1`, 100, 'utf8')).toEqual({ text: 'caf\uFFFD\n' });
  });

  it('exactly maxBytes bytes: the text; maxBytes + 1: FileTooLarge', () => {
    writeFileSync(`${dir}/ten`, '0123456789');
    expect(readSmallFile(`${dir}/ten`, 10, 'utf8')).toEqual({ text: '0123456789' });
    const result = readSmallFile(`${dir}/ten`, 9, 'utf8');
    expect('error' in result).toBe(true);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(FileTooLarge);
    expect(error).toMatchObject({ name: 'FileTooLarge', path: `${dir}/ten`, limit: 9, message: 'larger than 9 bytes' });
  });

  it('a one-byte file with maxBytes 0 is too large', () => {
    writeFileSync(`${dir}/one`, 'x');
    const result = readSmallFile(`${dir}/one`, 0, 'utf8') as { error: unknown };
    expect(result.error).toBeInstanceOf(FileTooLarge);
    expect(result.error).toMatchObject({ limit: 0, message: 'larger than 0 bytes' });
  });

  it('files larger than one 64 KiB read arrive whole; one byte past a multi-read bound is too large', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `line ${String(i).padStart(5, '0')}\n`).join(''); // 220,000 bytes
    expect(text.length).toBe(220_000);
    writeFileSync(`${dir}/big`, text);
    expect(readSmallFile(`${dir}/big`, 220_000, 'utf8')).toEqual({ text });
    expect(readSmallFile(`${dir}/big`, 1 << 20, 'utf8')).toEqual({ text });
    const over = readSmallFile(`${dir}/big`, 219_999, 'utf8') as { error: unknown };
    expect(over.error).toBeInstanceOf(FileTooLarge);
    expect(over.error).toMatchObject({ limit: 219_999 });
    writeFileSync(`${dir}/64k`, 'a'.repeat(65_536));
    expect(readSmallFile(`${dir}/64k`, 65_536, 'latin1')).toEqual({ text: 'a'.repeat(65_536) });
    expect((readSmallFile(`${dir}/64k`, 65_535, 'latin1') as { error: unknown }).error).toBeInstanceOf(FileTooLarge);
  });

  it('a FIFO without a writer: NotARegularFile, promptly', { timeout: 5000 }, () => {
    const fifo = `${dir}/fifo`;
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // A synchronous call that blocks cannot be interrupted by the test timeout. So that a
    // blocking open fails the test rather than hanging it, a writer opens the FIFO after two
    // seconds (which lets a blocked open return) and closes it a second later (EOF for a
    // blocked read); the time taken then shows the wait.
    const writer = spawn(process.execPath, [
      '-e',
      `setTimeout(() => { const fs = require('node:fs'); const fd = fs.openSync(${JSON.stringify(fifo)}, 'w'); setTimeout(() => fs.closeSync(fd), 1000); }, 2000);`,
    ], { stdio: 'ignore' });
    try {
      const started = performance.now();
      const result = readSmallFile(fifo, 4096, 'utf8');
      const elapsed = performance.now() - started;
      expect('error' in result).toBe(true);
      const error = (result as { error: unknown }).error;
      expect(error).toBeInstanceOf(NotARegularFile);
      expect(error).toMatchObject({ name: 'NotARegularFile', path: fifo, message: 'not a regular file' });
      expect(elapsed).toBeLessThan(1000);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('/dev/zero (endless) and /dev/null: NotARegularFile', { timeout: 5000 }, () => {
    for (const device of ['/dev/zero', '/dev/null']) {
      const result = readSmallFile(device, 4096, 'latin1') as { error: unknown };
      expect(result.error).toBeInstanceOf(NotARegularFile);
      expect(result.error).toMatchObject({ path: device });
    }
  });

  it('a directory: NotARegularFile', () => {
    mkdirSync(`${dir}/a-directory`);
    const result = readSmallFile(`${dir}/a-directory`, 4096, 'utf8') as { error: unknown };
    expect(result.error).toBeInstanceOf(NotARegularFile);
    expect(result.error).toMatchObject({ path: `${dir}/a-directory` });
  });

  it('a missing file: the system error, code ENOENT', () => {
    const result = readSmallFile(`${dir}/missing`, 4096, 'utf8');
    expect(Object.keys(result)).toEqual(['error']);
    expect((result as { error: unknown }).error).toMatchObject({ code: 'ENOENT', syscall: 'open', path: `${dir}/missing` });
  });
});
