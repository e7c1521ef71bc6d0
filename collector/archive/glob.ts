// Path patterns for grep, series and plot, written like shell globs on the configfs layout:
//   *  any characters except /      **  any characters, / included      ?  one character except /
//   [abc] [a-z] [!abc]  a character class      {read,write}  alternatives
// A pattern starting with / must match the whole canonical path
// (/sys/kernel/config/target/... or /proc/drbd); any other pattern matches the end of the path
// on a / boundary, so `scsi_auth_intr/write_mbytes` finds that counter under every ACL and LUN.
// picomatch does the matching: `**` crosses / only as a whole segment (`lun_**` is `lun_*`), and
// may match no segment (`a/**/b` matches a/b, `a/**` matches a). This file reports the mistakes
// in a pattern and works out the needle.
import picomatch from 'picomatch';
import { UserError } from '../../lib/errors.js';

export interface PathMatcher {
  pattern: string;
  test(path: string): boolean;
  /**
   * A string that every `[PATH]` header line of a matching path contains, the longest the
   * pattern guarantees: a snapshot is searched for it instead of being split into lines.
   * '' when the pattern has no literal part.
   */
  needle: string;
}

/** The usual reason for no match: an IQN is one path segment, and a pattern matches segments. */
export const SEGMENT_HINT = ' (patterns match whole path segments: "*initiator01/lun_0/..." for an ACL named iqn....:initiator01)';

/**
 * dot: names may start with `.`, and `*`, `?`, `**` match such names as any other.
 * posix: picomatch 2 reads `[!abc]` as the class of `!`, a, b, c without it; with it `[!abc]` is
 * negated as in the shell (`[[:alpha:]]` classes, which it also allows, are refused below by the
 * `]` check anyway).
 * noextglob, nonegate: `+(x)`, `@(x)`, `!(x)` are not extended globs and a leading `!` does not
 * negate the pattern; `!`, `@`, `+` are plain characters, as in configfs names.
 * debug: a pattern picomatch turns into an invalid regular expression throws (it would
 * otherwise match nothing, silently).
 * flags s: `*` and `?` match any character of a name, a newline too (picomatch's regular
 * expression uses `.`); such names are archived in quoted headers (entry-writer.ts headerLine).
 */
const OPTIONS: picomatch.PicomatchOptions = { dot: true, posix: true, noextglob: true, nonegate: true, debug: true, flags: 's' };

export function compileGlob(pattern: string): PathMatcher {
  if (pattern === '') throw new UserError('empty path pattern');
  if (/[\n\]]/.test(pattern.replace(/\[[^\]]*\]/g, ''))) {
    throw new UserError(`invalid path pattern "${pattern}": ] outside a [...] class`);
  }
  let braces = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '[') {
      i = pattern.indexOf(']', i + 2);
      if (i < 0) throw new UserError(`invalid path pattern "${pattern}": [ without ]`);
    } else if (pattern[i] === '{') braces++;
    else if (pattern[i] === '}' && braces > 0) braces--;
  }
  if (braces > 0) throw new UserError(`invalid path pattern "${pattern}": { without }`);
  const anchored = pattern.startsWith('/');
  let isMatch: (path: string) => boolean;
  try {
    // `**/` in front: the pattern matches whole segments at the end of the path.
    isMatch = picomatch(anchored ? pattern : `**/${pattern}`, OPTIONS);
  } catch {
    throw new UserError(`invalid path pattern "${pattern}"`);
  }
  return { pattern, test: (path) => isMatch(path), needle: needleOf(pattern, anchored) };
}

/**
 * The longest run of characters that picomatch matches literally, with what surrounds it in a
 * header line: `[` before the run at the start of an anchored pattern, `]\n` after a run at the end. Anything picomatch may read
 * as syntax ends a run. Shorter than it could be is only slower; a needle a matching path lacks
 * would lose matches, so a pattern whose literal parts picomatch may not require gets none.
 */
function needleOf(pattern: string, anchored: boolean): string {
  // To picomatch `|` is an alternation even outside (...), `\` escapes and "..." quotes.
  if (/[|\\"]/.test(pattern)) return '';
  const runs: string[] = [];
  // No / before the first run of a pattern that is not anchored: it also matches a whole path
  // without one, such as the `[crm_mon]` entry's.
  let current = anchored ? '[' : '';
  let braces = 0;
  let parens = 0;
  const flush = () => {
    runs.push(current);
    current = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '[') {
      // As picomatch reads a class: a ] first in it (after ! or ^) is one of its characters.
      const first = pattern[i + 1] === '!' || pattern[i + 1] === '^' ? i + 2 : i + 1;
      const end = pattern.indexOf(']', first + 1);
      // [ inside a class: a [:alpha:] class or a [ picomatch reads differently.
      if (end < 0 || pattern.slice(i + 1, end).includes('[')) return '';
      i = end;
      flush();
    } else if (c === '*' && pattern[i + 1] === '*') {
      // `a/**` matches `a` (and `a/**/{,b}` does): the / before ** is sure only when / and a
      // literal character follow, as in `a/**/b` (which matches `a/b`).
      if (pattern[i + 2] !== '/' || !isLiteral(pattern[i + 3] ?? '*')) current = current.replace(/\/$/, '');
      i++;
      flush();
    } else if (c === '{' || c === '(') {
      if (c === '{') braces++;
      else parens++;
      flush();
    } else if (c === '}' && braces > 0) {
      braces--;
      flush();
    } else if (c === ')' && parens > 0) {
      parens--;
      flush();
    } else if (braces + parens > 0 || !isLiteral(c)) {
      // `+` after a literal character is one; after [...], {...} or (...) it repeats them.
      if (c === '+' && current !== '' && braces + parens === 0) current += c;
      else flush();
    } else {
      current += c;
    }
  }
  current += ']\n';
  flush();
  const needle = runs.reduce((best, s) => (s.length > best.length ? s : best), '');
  return needle.length > 2 ? needle : '';
}

/** Characters picomatch may read as syntax (with the options above); `,` only inside {...}. */
function isLiteral(c: string): boolean {
  return !'*?[]{}()+'.includes(c);
}
