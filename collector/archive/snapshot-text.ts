// The text of one decompressed snapshot: for each file a `[PATH]` line, the file's content and a
// blank line (collector/layout.ts). Snapshots run to megabytes and a day holds 1,440 of them, so
// wanted entries are found by searching the bytes for their header instead of splitting lines.
import type { PathMatcher } from './glob.js';

export interface Entry {
  path: string;
  /** The file's content as archived, without the trailing newline(s). */
  value: string;
}

const NL = 0x0a;
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const HEADER_START = Buffer.from('\n[');

/** If a `[...]` header line starts at lineStart, the index of its newline, else -1. */
function headerEnd(text: Buffer, lineStart: number): number {
  if (text[lineStart] !== OPEN) return -1;
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
    yield { path: text.toString('utf8', start + 1, end - 1), value: valueAt(text, end, next) };
    start = next;
  }
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
  if (!matcher.needle) {
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
    const path = text.toString('utf8', lineStart + 1, end - 1);
    const next = nextHeader(text, end);
    if (accept(path)) found.push({ path, value: valueAt(text, end, next) });
    at = next;
  }
  return found;
}
