// The lio_read and lio_write graphs: bytes per second per LUN (all initiators) and per
// initiator and mapped LUN, from the cumulative MiB counters in configfs.
import { existsSync } from 'node:fs';
import { DEFAULT_TARGET_ROOT, listTpgs, readCounter, type LioTpg } from './configfs.js';
import { cleanName, uniqueFieldNames, warn, type Field, type Graph, type Plugin } from './munin.js';

export type Direction = 'read' | 'write';

interface Counter {
  /** Field name as the original plugins built it, before validity and uniqueness checks. */
  candidate: string;
  label: string;
  info: string;
  file: string;
  /** The TPG's directory, and file's path from there. */
  tpgPath: string;
  inTpg: string;
}

/** The short name the original labels used: the part of an iqn after its first ':'. */
function shortTarget(target: string): string {
  const colon = target.indexOf(':');
  return target.startsWith('iqn.') && colon >= 0 ? target.slice(colon + 1) : target;
}

function inTpg(tpg: LioTpg, path: string): Pick<Counter, 'file' | 'tpgPath' | 'inTpg'> {
  return { file: `${tpg.path}/${path}`, tpgPath: tpg.path, inTpg: path };
}

/**
 * The value of each counter, read from inside its TPG's directory: the kernel then looks up six
 * path components per file instead of a dozen or more (about 4 % of a fetch of 4,352 counters).
 */
function readCounters(counters: Counter[]): (string | null)[] {
  let home: string | null = null;
  try {
    home = process.cwd();
  } catch {
    // The working directory was removed: without a way back, full paths.
  }
  let current: string | null = null;
  try {
    return counters.map((counter) => {
      if (home !== null && counter.tpgPath !== current) {
        try {
          process.chdir(counter.tpgPath);
          current = counter.tpgPath;
        } catch {
          current = null; // gone: the full path says so
        }
      }
      const read = readCounter(counter.file, current === counter.tpgPath ? counter.inTpg : counter.file);
      if ('value' in read) return read.value;
      warn(read.problem);
      return null;
    });
  } finally {
    try {
      if (current !== null) process.chdir(home!);
    } catch {
      // Removed meanwhile: the values are read, and nothing after this uses relative paths.
    }
  }
}

/** The counters of one TPG; labels and infos are left empty unless withConfig. */
function countersOf(tpg: LioTpg, direction: Direction, withConfig: boolean): Counter[] {
  // tpgt_1 of an iSCSI target is all the original plugins knew: their names stay as they were.
  const tpgName = tpg.tpgt === 'tpgt_1' ? '' : tpg.tpgt;
  const base = cleanName(tpg.target) + tpgName;
  const where = [tpg.fabric === 'iscsi' ? '' : `${tpg.fabric} `, shortTarget(tpg.target), tpgName ? ` ${tpgName}` : ''].join('');
  const whole = `${tpg.fabric}/${tpg.target}/${tpg.tpgt}`;
  const moved = direction === 'read' ? 'read by' : 'written by';
  const counters: Counter[] = tpg.luns.map((lun) => ({
    candidate: base + lun,
    label: withConfig ? `${where} (${lun})` : '',
    info: withConfig ? `Bytes ${moved} all initiators on ${lun} of ${whole}` : '',
    ...inTpg(tpg, `lun/${lun}/statistics/scsi_tgt_port/${direction}_mbytes`),
  }));
  for (const acl of tpg.acls) {
    const initiatorBase = base + cleanName(acl.initiator);
    const initiatorWhere = `${where} - ${shortTarget(acl.initiator)}`;
    for (const lun of acl.mappedLuns) {
      counters.push({
        candidate: initiatorBase + lun,
        label: withConfig ? `${initiatorWhere} (${lun})` : '',
        info: withConfig ? `Bytes ${moved} ${acl.initiator} on its mapped ${lun} of ${whole}` : '',
        ...inTpg(tpg, `acls/${acl.initiator}/${lun}/statistics/scsi_auth_intr/${direction}_mbytes`),
      });
    }
  }
  return counters;
}

export function lioPlugin(direction: Direction, env: NodeJS.ProcessEnv): Plugin {
  const root = env.target_root || DEFAULT_TARGET_ROOT;
  const title = direction === 'read' ? 'Read' : 'Write';
  return {
    autoconf() {
      if (!existsSync(root)) return `no (${root} not found: target_core_mod not loaded or configfs not mounted)`;
      if (!listTpgs(root).some((tpg) => tpg.luns.length > 0)) return `no (no LIO target exports a LUN under ${root})`;
      return 'yes';
    },
    graph(withValues, withConfig = true) {
      const counters = listTpgs(root).flatMap((tpg) => countersOf(tpg, direction, withConfig));
      const names = uniqueFieldNames(counters.map((c) => ({ name: c.candidate, identity: c.file })));
      const values = withValues ? readCounters(counters) : null;
      const fields: Field[] = counters.map((counter, i) => {
        const name = names[i]!;
        const value = values ? values[i]! : null;
        return {
          name,
          label: counter.label,
          info: counter.info,
          type: 'DERIVE',
          min: 0,
          cdef: withConfig ? `${name},1048576,*` : undefined,
          value,
        };
      });
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
