// The lio_read and lio_write graphs: bytes per second per LUN (all initiators) and per
// initiator and mapped LUN, from the cumulative MiB counters in configfs.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DirectoryCursor } from '../../lib/directory-cursor.js';
import { DEFAULT_TARGET_ROOT, isRecalled, readLioTree, readCounter } from '../../lib/kernel/configfs.js';
import { cleanName, FieldNames } from '../../lib/munin/field-names.js';
import { warn, type Field, type Graph, type Plugin } from '../../lib/munin/protocol.js';
import { readListedLioTree } from './lio-listings.js';

export type Direction = 'read' | 'write';

/** The short name the original labels used: the part of an iqn after its first ':'. */
export function shortTarget(target: string): string {
  const colon = target.indexOf(':');
  return target.startsWith('iqn.') && colon >= 0 ? target.slice(colon + 1) : target;
}

/**
 * The fields of every TPG under root, in path order, values read as each field is made; labels
 * and infos are left empty unless withConfig. While values are read, the working directory is
 * the TPG's (see DirectoryCursor) between one field and the next; it is back when the iteration
 * ends, however it ends.
 */
function* lioFields(root: string, env: NodeJS.ProcessEnv, direction: Direction, withValues: boolean, withConfig: boolean): Generator<Field> {
  const names = new FieldNames();
  const cursor = withValues ? new DirectoryCursor('') : null;
  const moved = direction === 'read' ? 'read by' : 'written by';
  try {
    // A directory that cannot be listed is said once; the fields below it are U, as last listed.
    const tree = readListedLioTree(root, env);
    for (const tpg of tree.tpgs) {
      // tpgt_1 of an iSCSI target is all the original plugins knew: their names stay as they were.
      const tpgName = tpg.tpgt === 'tpgt_1' ? '' : tpg.tpgt;
      const base = cleanName(tpg.target) + tpgName;
      const where = [tpg.fabric === 'iscsi' ? '' : `${tpg.fabric} `, shortTarget(tpg.target), tpgName ? ` ${tpgName}` : ''].join('');
      const whole = `${tpg.fabric}/${tpg.target}/${tpg.tpgt}`;
      /** The field of the counter at inTpg, a path from the TPG's directory. */
      const field = (candidate: string, inTpg: string, label: string, info: string): Field => {
        const path = `${tpg.path}/${inTpg}`;
        const name = names.next(candidate, path);
        let value: string | null = null;
        if (cursor && !isRecalled(tree, path)) {
          const read = readCounter(path, cursor.path(tpg.path, inTpg));
          if ('value' in read) value = read.value;
          else warn(read.problem);
        }
        return { name, label, info, type: 'DERIVE', min: 0, cdef: withConfig ? `${name},1048576,*` : undefined, value };
      };
      for (const lun of tpg.luns) {
        const label = withConfig ? `${where} (${lun})` : '';
        const info = withConfig ? `Bytes ${moved} all initiators on ${lun} of ${whole}` : '';
        yield field(base + lun, `lun/${lun}/statistics/scsi_tgt_port/${direction}_mbytes`, label, info);
      }
      for (const acl of tpg.acls) {
        const initiatorBase = base + cleanName(acl.initiator);
        const initiatorWhere = `${where} - ${shortTarget(acl.initiator)}`;
        for (const lun of acl.mappedLuns) {
          const label = withConfig ? `${initiatorWhere} (${lun})` : '';
          const info = withConfig ? `Bytes ${moved} ${acl.initiator} on its mapped ${lun} of ${whole}` : '';
          yield field(initiatorBase + lun, `acls/${acl.initiator}/${lun}/statistics/scsi_auth_intr/${direction}_mbytes`, label, info);
        }
      }
    }
  } finally {
    try {
      cursor?.restore();
    } catch {
      // Removed meanwhile: the values are read, and nothing after this uses relative paths.
    }
  }
}

export function lioPlugin(direction: Direction, env: NodeJS.ProcessEnv): Plugin {
  // Absolute: values are read relative to each TPG's directory (DirectoryCursor).
  const root = resolve(env.target_root || DEFAULT_TARGET_ROOT);
  const title = direction === 'read' ? 'Read' : 'Write';
  return {
    autoconf() {
      if (!existsSync(root)) return `no (${root} not found: target_core_mod not loaded or configfs not mounted)`;
      if (!readLioTree(root).tpgs.some((tpg) => tpg.luns.length > 0)) return `no (no LIO target exports a LUN under ${root})`;
      return 'yes';
    },
    graph(withValues, withConfig = true) {
      // Made anew, one at a time, each time the fields are iterated: see Graph.fields.
      const fields = { [Symbol.iterator]: () => lioFields(root, env, direction, withValues, withConfig) };
      const graph: Graph = {
        attributes: [
          ['graph_title', `LIO ${title.toLowerCase()} throughput`],
          ['graph_category', 'san'],
          ['graph_info', `Bytes ${direction === 'read' ? 'read from' : 'written to'} LIO LUNs, per LUN (all initiators) and per initiator, from ${root}. The kernel counts whole MiB, so rates below 1 MiB per interval show as steps.`],
          ['graph_vlabel', `bytes ${direction === 'read' ? 'read' : 'written'} per \${graph_period}`],
          ['graph_scale', 'yes'],
          ['graph_args', '--base 1024 --lower-limit 0'],
          ['graph_period', 'second'],
          ['graph_printf', '%7.2lf'],
        ],
        fields,
      };
      return graph;
    },
  };
}
