// Reading the entries of one decompressed snapshot: for each file a `[PATH]` line, the file's
// content and a blank line (layout.ts). Snapshots run to megabytes and a day holds 1,440 of them,
// so wanted entries are found by searching the bytes for their header instead of splitting lines.
import { CRM_MON_HEADER, EVENTS2_HEADER } from './layout.js';

/** Which paths are wanted (collector/archive/glob.ts makes these from the user's patterns). */
export interface PathMatcher {
  test(path: string): boolean;
  /**
   * A string that every `[PATH]` header line of a wanted path contains, the longest known; ''
   * when there is none. A snapshot is searched for it instead of being split into lines.
   */
  needle: string;
}

export interface Entry {
  path: string;
  /** The file's content as archived, without the trailing newline(s). */
  value: string;
}

const NL = 0x0a;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const HEADER_START = Buffer.from('\n[');

/**
 * The path a header names, from the text between its brackets: `"..."` is a JSON string (a path
 * with control characters, entry-writer.ts headerLine), anything else the path itself.
 */
export function headerPath(inner: string): string {
  if (inner.startsWith('"') && inner.endsWith('"') && inner.length >= 2) {
    try {
      const path: unknown = JSON.parse(inner);
      if (typeof path === 'string') return path;
    } catch {
      // Not one that headerLine wrote: the text as it stands.
    }
  }
  return inner;
}

/** A path as printed on one output line: quoted as in its header when it holds control characters. */
export function shownPath(path: string): string {
  return /[\x00-\x1f\x7f]/.test(path) ? JSON.stringify(path) : path;
}

const QUOTED_HEADER = Buffer.from('["');

/** Whether a snapshot holds a quoted header, where a needle made for plain headers may not match. */
function hasQuotedHeader(text: Buffer): boolean {
  return text.indexOf(QUOTED_HEADER) >= 0;
}

const SLASH = 0x2f;
const QUOTE = 0x22;
/** The headers that name a command's output rather than a file: drbdsetup's and crm_mon's. */
const COMMAND_HEADERS = [EVENTS2_HEADER, CRM_MON_HEADER].map((header) => Buffer.from(`[${header}]`));

function isCommandHeader(text: Buffer, lineStart: number): boolean {
  return COMMAND_HEADERS.some((h) => text.compare(h, 0, h.length, lineStart, lineStart + h.length) === 0 && (text[lineStart + h.length] === NL || lineStart + h.length === text.length));
}

/**
 * If a `[...]` header line starts at lineStart, the index of its newline, else -1. Every header
 * ever written names an absolute path (`[/sys/...]`, `[/proc/drbd]`), a quoted one (`["..."]`), the
 * drbdsetup command or crm_mon: a content line such as `[fake]` (an initiator name in intr_name) is not one.
 */
function headerEnd(text: Buffer, lineStart: number): number {
  if (text[lineStart] !== OPEN) return -1;
  const second = text[lineStart + 1];
  if (second !== SLASH && second !== QUOTE && !isCommandHeader(text, lineStart)) return -1;
  const end = text.indexOf(NL, lineStart);
  const last = end < 0 ? text.length : end;
  return last - lineStart >= 2 && text[last - 1] === CLOSE ? last : -1;
}

/** Start of the next header line after position from (text.length when none). */
function nextHeader(text: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const hit = text.indexOf(HEADER_START, at);
    if (hit < 0) return text.length;
    if (headerEnd(text, hit + 1) >= 0) return hit + 1;
    at = hit + 1;
  }
}

/** The value between a header's newline and the next header: drops the separating blank line. */
function valueAt(text: Buffer, headerNewline: number, next: number): string {
  let end = next;
  if (end > headerNewline + 1 && text[end - 1] === NL) end--; // the blank line after the content
  if (end > headerNewline + 1 && text[end - 1] === NL) end--; // the content's own newline
  return headerNewline + 1 >= end ? '' : text.toString('utf8', headerNewline + 1, end);
}

/** Every entry, in file order. */
export function* allEntries(text: Buffer): Generator<Entry> {
  let start = headerEnd(text, 0) >= 0 ? 0 : nextHeader(text, 0);
  while (start < text.length) {
    const end = headerEnd(text, start);
    const next = nextHeader(text, end);
    yield { path: headerPath(text.toString('utf8', start + 1, end - 1)), value: valueAt(text, end, next) };
    start = next;
  }
}

/** Header lines that end with one of a few texts, such as `/scsi_tgt_port/read_mbytes]`. */
export class HeaderEndings {
  /**
   * 1 for the two bytes before the `]` of an ending (as lastTwo() gives them): most header lines
   * are rejected by that alone.
   */
  readonly lastTwo = new Uint8Array(1 << 16);
  /** The endings by their two bytes before the `]`. */
  private readonly byLastTwo = new Map<number, Buffer[]>();

  constructor(endings: readonly string[]) {
    for (const ending of endings) {
      const bytes = Buffer.from(ending);
      if (bytes.length < 3 || bytes[bytes.length - 1] !== CLOSE || bytes.includes(NL)) throw new Error(`bad header ending ${JSON.stringify(ending)}`);
      const key = lastTwo(bytes, bytes.length - 1);
      this.lastTwo[key] = 1;
      this.byLastTwo.set(key, [...(this.byLastTwo.get(key) ?? []), bytes]);
    }
  }

  /** Whether the text before position end (a `]` at end - 1) ends with one of the endings. */
  endsAt(text: Buffer, end: number): boolean {
    return (this.byLastTwo.get(lastTwo(text, end - 1)) ?? []).some((ending) => bytesEndAt(text, end, ending));
  }
}

/** Whether text[0, end) ends with bytes, compared from the end: most differ in a few bytes, fewer than a call of compare() costs. */
function bytesEndAt(text: Buffer, end: number, bytes: Buffer): boolean {
  if (bytes.length > end) return false;
  for (let i = bytes.length - 1, at = end - 1; i >= 0; i--, at--) if (text[at] !== bytes[i]) return false;
  return true;
}

/** The two bytes before position close, as one number. */
const lastTwo = (bytes: Buffer, close: number) => (bytes[close - 2]! << 8) | bytes[close - 1]!;

/** Whether the line [start, end) is a header line (as headerEnd says). */
function isHeader(text: Buffer, start: number, end: number): boolean {
  if (text[start] !== OPEN || end - start < 2 || text[end - 1] !== CLOSE) return false;
  const second = text[start + 1];
  return second === SLASH || second === QUOTE || isCommandHeader(text, start);
}

/** Whether a header line starts at lineStart. */
const isHeaderLineAt = (text: Buffer, lineStart: number) => text[lineStart] === OPEN && headerEnd(text, lineStart) >= 0;

/**
 * Calls visit with the start and end (its newline, or the text's end) of every header line that
 * ends with one of endings, in file order: the entries allEntries gives, less the others. Found
 * by going from one `]` to the next and looking at the bytes before it, which skips the values
 * and most of each path. False, with nothing visited, when the snapshot has a quoted header (a line
 * ending in `"]`), whose closing quote no ending matches: allEntries then.
 */
export function forEachHeaderEndingWith(text: Buffer, endings: HeaderEndings, visit: (start: number, end: number) => void): boolean {
  const found: number[] = [];
  for (let close = text.indexOf(CLOSE); close >= 0; close = text.indexOf(CLOSE, close + 1)) {
    const end = close + 1;
    if ((end < text.length && text[end] !== NL) || close < 2) continue;
    if (text[close - 1] === QUOTE) return false;
    // Only these few checks for most header lines, in JavaScript: any call costs more.
    if (endings.lastTwo[lastTwo(text, close)] === 0 || !endings.endsAt(text, end)) continue;
    const start = text.lastIndexOf(NL, close) + 1;
    if (isHeader(text, start, end)) found.push(start, end);
  }
  for (let i = 0; i < found.length; i += 2) visit(found[i]!, found[i + 1]!);
  return true;
}

/** The path of the header line [start, end). */
export const headerPathAt = (text: Buffer, start: number, end: number) => headerPath(text.toString('utf8', start + 1, end - 1));

/** The value of the entry whose header line ends at end, as allEntries gives it. */
export const valueAfterHeader = (text: Buffer, end: number) => valueAt(text, end, nextHeader(text, end));

/**
 * When the value of the entry whose header line ends at end is digits alone (as
 * valueAfterHeader would give it), the end of those digits, which start at end + 1; else -1.
 */
export function digitsAfterHeader(text: Buffer, end: number): number {
  let at = end + 1;
  while (text[at]! >= 0x30 && text[at]! <= 0x39) at++;
  if (at === end + 1) return -1;
  // What may follow the digits: the value's newline and the blank line, each before the next
  // header or the text's end.
  for (let newlines = 0; newlines <= 2; newlines++) {
    const next = at + newlines;
    if (next === text.length || (newlines > 0 && isHeaderLineAt(text, next))) return at;
    if (text[next] !== NL) return -1;
  }
  return -1;
}

/**
 * The entries whose path the matcher accepts, in file order. Searches for the matcher's needle and
 * checks only the header lines it occurs in; `cache` remembers verdicts on paths across snapshots.
 */
export function matchingEntries(text: Buffer, matcher: PathMatcher, cache: Map<string, boolean>): Entry[] {
  const found: Entry[] = [];
  const accept = (path: string) => {
    let verdict = cache.get(path);
    if (verdict === undefined) cache.set(path, (verdict = matcher.test(path)));
    return verdict;
  };
  if (!matcher.needle || hasQuotedHeader(text)) {
    for (const entry of allEntries(text)) if (accept(entry.path)) found.push(entry);
    return found;
  }
  const needle = Buffer.from(matcher.needle);
  let at = 0;
  for (;;) {
    const hit = text.indexOf(needle, at);
    if (hit < 0) break;
    const lineStart = hit === 0 ? 0 : text.lastIndexOf(NL, hit - 1) + 1;
    const end = headerEnd(text, lineStart);
    if (end < 0) {
      at = hit + 1;
      continue;
    }
    const path = headerPath(text.toString('utf8', lineStart + 1, end - 1));
    const next = nextHeader(text, end);
    if (accept(path)) found.push({ path, value: valueAt(text, end, next) });
    at = next;
  }
  return found;
}

export interface ValueLine {
  path: string;
  /** One line of the entry's value. */
  line: string;
}

/**
 * The value lines that valueRegex matches (tested line by line, as grep does), with the path of
 * their entry, for entries whose path the matcher accepts. Runs the regular expression over the
 * whole text once instead of over every entry: a snapshot holds tens of thousands of entries.
 */
export function matchingValueLines(text: Buffer, valueRegex: RegExp, matcher: PathMatcher, cache: Map<string, boolean>): ValueLine[] {
  const source = text.toString('utf8');
  const scan = new RegExp(valueRegex.source, valueRegex.flags.replace(/[gmy]/g, '') + 'gm');
  const found: ValueLine[] = [];
  let header = { start: -1, end: -1, path: '' };
  for (let match = scan.exec(source); match; match = scan.exec(source)) {
    const lineStart = source.lastIndexOf('\n', match.index - 1) + 1;
    let lineEnd = source.indexOf('\n', match.index);
    if (lineEnd < 0) lineEnd = source.length;
    // Go on from the next line: a match that ran over a line end must not hide one on the next.
    scan.lastIndex = lineEnd + 1;
    const line = source.slice(lineStart, lineEnd);
    if (!valueRegex.test(line) || isHeaderLine(line)) continue;
    if (line === '' && isSeparator(source, lineStart, lineEnd)) continue;
    if (lineStart < header.start || lineStart > header.end) header = headerBefore(source, lineStart);
    if (header.start < 0) continue;
    let verdict = cache.get(header.path);
    if (verdict === undefined) cache.set(header.path, (verdict = matcher.test(header.path)));
    if (verdict) found.push({ path: header.path, line });
  }
  return found;
}

/** Whether the empty line at lineStart is the blank line that ends an entry with content. */
function isSeparator(source: string, lineStart: number, lineEnd: number): boolean {
  const nextEnd = source.indexOf('\n', lineEnd + 1);
  const next = lineEnd + 1 >= source.length ? null : source.slice(lineEnd + 1, nextEnd < 0 ? source.length : nextEnd);
  if (next !== null && !isHeaderLine(next)) return false;
  const previous = lineStart === 0 ? '' : source.slice(source.lastIndexOf('\n', lineStart - 2) + 1, lineStart - 1);
  return !isHeaderLine(previous); // right after its header, the empty line is an empty value
}

const isHeaderLine = (line: string) =>
  line.length >= 2 && line.endsWith(']') && (line.startsWith('[/') || line.startsWith('["') || line === `[${EVENTS2_HEADER}]` || line === `[${CRM_MON_HEADER}]`);

/** The header line above position at, and where its entry ends (the next header). */
function headerBefore(source: string, at: number): { start: number; end: number; path: string } {
  let lineStart = at;
  while (lineStart > 0) {
    lineStart = source.lastIndexOf('\n', lineStart - 2) + 1;
    const lineEnd = source.indexOf('\n', lineStart);
    const line = source.slice(lineStart, lineEnd < 0 ? source.length : lineEnd);
    if (isHeaderLine(line)) {
      let next = source.indexOf('\n[', at - 1);
      while (next >= 0) {
        const end = source.indexOf('\n', next + 1);
        if (isHeaderLine(source.slice(next + 1, end < 0 ? source.length : end))) break;
        next = source.indexOf('\n[', next + 1);
      }
      return { start: lineStart, end: next < 0 ? source.length : next, path: headerPath(line.slice(1, -1)) };
    }
  }
  return { start: -1, end: -1, path: '' };
}
