// Path patterns for grep, series and plot, written like shell globs on the configfs layout:
//   *  any characters except /      **  any characters, / included      ?  one character except /
//   [abc] [a-z] [!abc]  a character class      {read,write}  alternatives
// A pattern starting with / must match the whole canonical path
// (/sys/kernel/config/target/... or /proc/drbd); any other pattern matches the end of the path
// on a / boundary, so `scsi_auth_intr/write_mbytes` finds that counter under every ACL and LUN.
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

export function compileGlob(pattern: string): PathMatcher {
  if (pattern === '') throw new UserError('empty path pattern');
  if (/[\n\]]/.test(pattern.replace(/\[[^\]]*\]/g, ''))) {
    throw new UserError(`invalid path pattern "${pattern}": ] outside a [...] class`);
  }
  const anchored = pattern.startsWith('/');
  let source = '';
  // Literal runs between wildcards; the needle is the longest. `current` is null inside {...}.
  const literals: string[] = [];
  let current = anchored ? '[' : '/';
  let braces = 0;
  const flush = () => {
    literals.push(current);
    current = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        source += '.*';
        i++;
      } else source += '[^/]*';
      flush();
    } else if (c === '?') {
      source += '[^/]';
      flush();
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new UserError(`invalid path pattern "${pattern}": [ without ]`);
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^/' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
      flush();
    } else if (c === '{') {
      braces++;
      source += '(?:';
      flush();
    } else if (c === '}' && braces > 0) {
      braces--;
      source += ')';
      flush();
    } else if (c === ',' && braces > 0) {
      source += '|';
      flush();
    } else {
      source += c.replace(/[.+^$|()\\{}]/g, '\\$&');
      if (braces === 0) current += c;
    }
  }
  if (braces > 0) throw new UserError(`invalid path pattern "${pattern}": { without }`);
  current += ']\n';
  flush();
  let regex: RegExp;
  try {
    regex = new RegExp(anchored ? `^${source}$` : `(?:^|/)${source}$`);
  } catch {
    throw new UserError(`invalid path pattern "${pattern}"`);
  }
  const needle = literals.reduce((best, s) => (s.length > best.length ? s : best), '');
  return { pattern, test: (path) => regex.test(path), needle: needle.length > 2 ? needle : '' };
}
