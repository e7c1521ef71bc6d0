// Which files a snapshot holds, in the order it holds them.
//
// The original listed them with `find DIR ! -type d | LANG=C sort`: every non-directory (files,
// symlinks, anything else) in byte order of the full path, symlinks listed but never followed.
// We walk depth-first with each directory's entries sorted by their name, plus "/" for
// directories (a directory's files all start with "name/"): that yields exactly the byte order
// of full paths without sorting the whole list, and never enters a symlinked directory, so the
// links from LUNs back into core/ cannot loop.
import { lstatSync, readdirSync } from 'node:fs';

/** 'file' is a regular file (read), anything else becomes an entry without content. */
export type FileType = 'file' | 'symlink' | 'other';

export interface SelectedFile {
  /** Path relative to the root, starting with "/": "/core/iblock_0/disk1/statistics/scsi_lu/inst". */
  rel: string;
  /** rel of its directory: the same string for all the files of one directory. */
  dir: string;
  name: string;
  type: FileType;
}

/** One path component of a subtree pattern, as a shell glob matches it. */
interface Segment {
  matches(name: string): boolean;
  /** Set when the segment is a plain name: then it is looked up, not listed, as the shell does. */
  literal?: string;
}

const any: Segment = { matches: (name) => !name.startsWith('.') }; // like the shell's `*`
const literal = (text: string): Segment => ({ matches: (name) => name === text, literal: text });
const fabric: Segment = { matches: (name) => name !== 'core' && !name.startsWith('.') };
const tpgt: Segment = { matches: (name) => name.startsWith('tpgt_') };

// The original minute snapshot's subtrees, generalised from iscsi/tpgt_1 to every fabric and TPG:
//   core/*/*/statistics
//   <fabric>/*/fabric_statistics
//   <fabric>/*/tpgt_*/acls/*/fabric_statistics
//   <fabric>/*/tpgt_*/acls/*/*/statistics
//   <fabric>/*/tpgt_*/lun/*/statistics
const STATS_SUBTREES: Segment[][] = [
  [literal('core'), any, any, literal('statistics')],
  [fabric, any, literal('fabric_statistics')],
  [fabric, any, tpgt, literal('acls'), any, literal('fabric_statistics')],
  [fabric, any, tpgt, literal('acls'), any, any, literal('statistics')],
  [fabric, any, tpgt, literal('lun'), any, literal('statistics')],
];

/** Inside a chosen subtree every file counts; above it, the patterns still to match. */
type Selection = 'everything' | Segment[][];

/** Called for a directory that cannot be listed (it vanished, or EACCES); the walk goes on. */
export type OnUnlistable = (rel: string, err: unknown) => void;

/** Every non-directory under root. */
export function treeFiles(root: string, onUnlistable: OnUnlistable = () => {}): Generator<SelectedFile> {
  return walk(root, 'everything', onUnlistable);
}

/** Every non-directory in the statistics subtrees under root. */
export function statsFiles(root: string, onUnlistable: OnUnlistable = () => {}): Generator<SelectedFile> {
  return walk(root, STATS_SUBTREES, onUnlistable);
}

interface Entry {
  name: string;
  type: FileType | 'directory';
}

interface KeyedEntry extends Entry {
  key: string;
}

interface Frame {
  rel: string;
  selection: Selection;
  entries: Entry[];
  next: number;
}

function* walk(root: string, selection: Selection, onUnlistable: OnUnlistable): Generator<SelectedFile> {
  // The root itself must be listable: a missing root is the caller's error, not an empty snapshot.
  const stack: Frame[] = [{ rel: '', selection, entries: listDirectory(root), next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next === frame.entries.length) {
      stack.pop();
      continue;
    }
    const entry = frame.entries[frame.next++];
    const rel = `${frame.rel}/${entry.name}`;
    if (entry.type === 'directory') {
      const inner = enter(frame.selection, entry.name);
      if (inner === null) continue;
      let entries: Entry[];
      try {
        entries = inner === 'everything' || !inner.every((p) => p[0].literal) ? listDirectory(root + rel) : lookUp(root + rel, inner);
      } catch (err) {
        onUnlistable(rel, err);
        continue;
      }
      stack.push({ rel, selection: inner, entries, next: 0 });
    } else if (frame.selection === 'everything') {
      yield { rel, dir: frame.rel, name: entry.name, type: entry.type };
    }
  }
}

/** The selection inside subdirectory name, or null when nothing below it is wanted. */
function enter(selection: Selection, name: string): Selection | null {
  if (selection === 'everything') return selection;
  const tails: Segment[][] = [];
  for (const pattern of selection) {
    if (!pattern[0].matches(name)) continue;
    if (pattern.length === 1) return 'everything';
    tails.push(pattern.slice(1));
  }
  return tails.length > 0 ? tails : null;
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The entries of dir in walk order. */
function listDirectory(dir: string): Entry[] {
  const dirents = readdirSync(dir, { withFileTypes: true });
  const entries: KeyedEntry[] = new Array(dirents.length);
  for (let i = 0; i < dirents.length; i++) {
    const { name } = dirents[i];
    const type = dirents[i].isDirectory() ? 'directory' : dirents[i].isFile() ? 'file' : dirents[i].isSymbolicLink() ? 'symlink' : 'other';
    // A directory's files all start with "name/": sorting it as such gives full-path order.
    entries[i] = { name, type, key: type === 'directory' ? `${name}/` : name };
  }
  return entries.sort(byKey);
}

/** The subdirectories named by the patterns' literal first segments, looked up without listing dir. */
function lookUp(dir: string, patterns: Segment[][]): Entry[] {
  const names = [...new Set(patterns.map((p) => p[0].literal!))].sort((a, b) => byKey({ key: `${a}/` }, { key: `${b}/` }));
  return names.filter((name) => lstatSync(`${dir}/${name}`, { throwIfNoEntry: false })?.isDirectory()).map((name) => ({ name, type: 'directory' }));
}
