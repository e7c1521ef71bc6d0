// The text of a snapshot, as the original wrote it: for each file `[PATH]\n`, the content as
// read, and `\n`. File contents are read straight into large buffers (open, read until EOF,
// close: no stat, no per-file allocation), which are handed on whole for compression.
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** What a secret's entry holds instead of its value. */
export const SECRET_PLACEHOLDER = '<secret not archived>';

/** CHAP secrets: auth/password, auth/password_mutual, discovery_auth/password, ... */
export function isSecret(name: string): boolean {
  return name.startsWith('password');
}

/**
 * Text is handed to compression in chunks of 64-128 KiB: small, so that compression (on
 * another thread) starts early and little of it is left when the last file is read (larger
 * chunks measured slower: bench/README.md).
 */
const CHUNK_BYTES = 128 << 10;
/** Room left for each read: more than a configfs attribute (one page, up to 64 KiB) can hold. */
const MIN_READ_BYTES = 64 << 10;
const NEWLINE = 0x0a;
const CLOSE_BRACKET = 0x5d;
const NOTHING_READY: readonly Buffer[] = [];

/** A C0 control character or DEL, which no header held before quoting (a newline broke it). */
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * The header line of path: `[PATH]` as always, byte for byte; a path holding a control
 * character (a newline would split the header) is written as a JSON string, `["..."]`. Every
 * archived path starts with `/` or a command name, never `"`, so the reader tells the two apart
 * (entry-reader.ts headerPath).
 */
export function headerLine(path: string): string {
  return CONTROL.test(path) ? `[${JSON.stringify(path)}]\n` : `[${path}]\n`;
}

/** Prefixes of directories whose entries' headers must be quoted (see headerLine). */
const quotedPrefixes = new WeakSet<Uint8Array>();

/** The bytes that start the header of every entry in directory dir (a canonical path): "[dir/". */
export function headerPrefix(dir: string): Buffer {
  const prefix = Buffer.from(`[${dir}/`);
  if (CONTROL.test(dir)) quotedPrefixes.add(prefix);
  return prefix;
}
// Never follow a symlink, even one that replaced a file since the directory was listed.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

export class EntryText {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Full chunks waiting to be taken by takeReady(). */
  private ready: Buffer[] = [];
  entries = 0;

  /** An entry with the given content (a string, or null for none). */
  addText(path: string, content: string | null): void {
    this.text(`${headerLine(path)}${content ?? ''}\n`);
    this.entries++;
  }

  /**
   * An entry for the file name in a directory whose header prefix ("[DIR/", see headerPrefix)
   * is given as bytes, made once per directory, with the content of file (the path to open it
   * by). A file that cannot be opened or read (ENODEV, EACCES on write-only attributes, ENOENT
   * when it vanished, ELOOP for a symlink) gets the content read so far, usually none, as the
   * original's `cat ... 2>/dev/null` gave; its error is returned.
   */
  addFileIn(prefix: Uint8Array, name: string, file: string): unknown {
    if (quotedPrefixes.has(prefix) || CONTROL.test(name)) {
      this.text(headerLine(Buffer.from(prefix).toString('utf8', 1) + name));
      return this.content(file);
    }
    if (this.used + prefix.length + name.length * 3 + 2 > CHUNK_BYTES) this.finishChunk();
    const chunk = this.chunk;
    chunk.set(prefix, this.used);
    const nameStart = this.used + prefix.length;
    let used = nameStart;
    // Names are ASCII: copied byte by byte, which costs less than a call to encode them.
    for (let i = 0; i < name.length; i++) {
      const code = name.charCodeAt(i);
      if (code > 0x7f) {
        used = nameStart + chunk.write(name, nameStart);
        break;
      }
      chunk[used++] = code;
    }
    chunk[used++] = CLOSE_BRACKET;
    chunk[used++] = NEWLINE;
    this.used = used;
    return this.content(file);
  }

  /** The rest of an entry whose header is written: file's content, and the blank line. */
  private content(file: string): unknown {
    this.entries++;
    let problem: unknown = null;
    let fd = -1;
    try {
      fd = openSync(file, OPEN_FLAGS);
      for (;;) {
        if (CHUNK_BYTES - this.used <= MIN_READ_BYTES) this.finishChunk();
        const wanted = CHUNK_BYTES - this.used;
        const n = readSync(fd, this.chunk, this.used, wanted, null);
        this.used += n;
        // A regular file reads short only at its end (a configfs attribute is at most a page),
        // which saves a second read of every file.
        if (n < wanted) break;
      }
    } catch (err) {
      problem = err;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    if (this.used === CHUNK_BYTES) this.finishChunk();
    this.chunk[this.used++] = NEWLINE;
    return problem;
  }

  /** Chunks filled since the last call. */
  takeReady(): readonly Buffer[] {
    if (this.ready.length === 0) return NOTHING_READY; // asked after every file: no array each time
    const ready = this.ready;
    this.ready = [];
    return ready;
  }

  /** Everything not yet taken, including the partly filled chunk. */
  takeRest(): readonly Buffer[] {
    if (this.used > 0) this.finishChunk();
    return this.takeReady();
  }

  private text(text: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (this.used + text.length * 3 > CHUNK_BYTES) {
      if (this.used > 0) this.finishChunk();
      if (text.length * 3 > CHUNK_BYTES) {
        this.ready.push(Buffer.from(text));
        return;
      }
    }
    this.used += this.chunk.write(text, this.used);
  }

  private finishChunk(): void {
    this.ready.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}
