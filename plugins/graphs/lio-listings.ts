// The LIO tree as the LIO plugins see it, with the listings of lun/, acls/ and acls/INITIATOR/
// kept in $MUNIN_PLUGSTATE: when one of them cannot be listed (EACCES, EIO), its fields are
// still printed, under the names they had, with U, rather than vanishing (Munin would show a gap
// with no reason, and a field that comes back is drawn as new). Without a kept listing (the
// first run, no state directory) they are left out, and the warning says which.
import { readLioTree, type LioListings, type LioTree } from '../../lib/kernel/configfs.js';
import { warn } from '../../lib/munin/protocol.js';
import { PluginState } from './plugin-state.js';

/** What a plugin lists: lio_read, lio_write and lio_disk the LUNs too, the iSCSI plugins only the ACLs. */
const KINDS = {
  luns: { file: 'lio-munin-lio-listings.json', luns: true, below: 'the fields below it' },
  acls: { file: 'lio-munin-iscsi-listings.json', luns: false, below: 'the initiators below it' },
} as const;

function isListings(value: unknown): value is LioListings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The tree under root, with one warning line per directory that could not be listed. keep: the
 * listings are written back (when they changed; autoconf, which munin-node-configure and the
 * installer run, keeps nothing).
 */
export function readListedLioTree(root: string, env: NodeJS.ProcessEnv, what: keyof typeof KINDS = 'luns', keep = true): LioTree {
  const kind = KINDS[what];
  const state = new PluginState(env, kind.file);
  // Parsed only when a directory cannot be listed: most runs only compare the text (save).
  const earlier = () => {
    const loaded = state.load();
    return isListings(loaded) ? loaded : null;
  };
  const tree = readLioTree(root, { luns: kind.luns, earlier });
  for (const { path, error, recalled } of tree.unlisted) {
    warn(`cannot list ${path}: ${error}; ${recalled ? `${kind.below} are U, as last listed` : what === 'luns' ? 'the fields below it are left out' : 'the targets and initiators below it are left out'}`);
  }
  // A directory that could not be listed and was never listed before leaves a hole in the
  // listings: the kept ones are not replaced by them.
  if (keep && tree.unlisted.every((dir) => dir.recalled)) {
    const problem = state.save(tree.listings, 'the LIO directory listings');
    if (problem) warn(problem);
  }
  return tree;
}
