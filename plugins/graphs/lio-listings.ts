// The LIO tree as lio_read, lio_write and lio_disk see it, with the listings of lun/, acls/ and
// acls/INITIATOR/ kept in $MUNIN_PLUGSTATE: when one of them cannot be listed (EACCES, EIO), its
// fields are still printed, under the names they had, with U, rather than vanishing (Munin would
// show a gap with no reason, and a field that comes back is drawn as new). Without a kept
// listing (the first run, no state directory) they are left out, and the warning says which.
import { readLioTree, type LioListings, type LioTree } from '../../lib/kernel/configfs.js';
import { warn } from '../../lib/munin/protocol.js';
import { PluginState } from './plugin-state.js';

/** One file for the three plugins: they list the same directories. */
export const LISTINGS_FILE = 'lio-munin-lio-listings.json';

function isListings(value: unknown): value is LioListings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The tree under root, with one warning line per directory that could not be listed. */
export function readListedLioTree(root: string, env: NodeJS.ProcessEnv): LioTree {
  const state = new PluginState(env, LISTINGS_FILE);
  const tree = readLioTree(root, {
    earlier: () => {
      const kept = state.load();
      return isListings(kept) ? kept : null;
    },
  });
  for (const { path, error, recalled } of tree.unlisted) {
    warn(`cannot list ${path}: ${error}; ${recalled ? 'the fields below it are U, as last listed' : 'the fields below it are left out'}`);
  }
  // A directory that could not be listed and was never listed before leaves a hole in the
  // listings: the kept ones are not replaced by them.
  if (tree.unlisted.every((dir) => dir.recalled)) {
    const problem = state.save(tree.listings, 'the LIO directory listings');
    if (problem) warn(problem);
  }
  return tree;
}
