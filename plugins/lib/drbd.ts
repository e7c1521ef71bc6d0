// The drbd, drbd_al and drbd_ext graphs, built from DRBD statistics whatever their source.
//
// Units are those of DRBD 8's /proc/drbd, which the field names come from: ns nr dw dr oos in
// KiB, al bm counters of metadata updates, lo pe ua ap ep requests in flight.
import { readFileSync } from 'node:fs';
import { parseProcDrbd, type DrbdCounter } from './proc-drbd.js';
import { uniqueFieldNames, type Field, type Graph, type Plugin } from './munin.js';

export const DEFAULT_DRBD_PROC = '/proc/drbd';

/** One DRBD device (a minor) and its replication peers. */
export interface DrbdVolume {
  minor: number;
  /** Counters of the device itself: dr dw al bm lo ap (ep on 8.x). */
  device: Partial<Record<DrbdCounter, string | null>>;
  /** Per peer counters: ns nr oos pe ua. DRBD 8 has exactly one, named null. */
  peers: Array<{ name: string | null; counters: Partial<Record<DrbdCounter, string | null>> }>;
}

export type DrbdSource = { volumes: DrbdVolume[] } | { unavailable: string };

const PEER_COUNTERS: ReadonlySet<DrbdCounter> = new Set(['ns', 'nr', 'oos', 'pe', 'ua']);

/** Reads the statistics the way the environment says (env.drbd_proc). */
export function readDrbd(env: NodeJS.ProcessEnv): DrbdSource {
  const path = env.drbd_proc || DEFAULT_DRBD_PROC;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { unavailable: code === 'ENOENT' ? `${path} not found: drbd module not loaded` : `cannot read ${path}: ${code ?? String(err)}` };
  }
  const proc = parseProcDrbd(text);
  if (proc.isDrbd9) return { unavailable: `DRBD 9 (${proc.version}): ${path} has no statistics, they come from drbdsetup` };
  const volumes = proc.devices
    .filter((d) => Object.keys(d.counters).length > 0)
    .map((d): DrbdVolume => {
      const device: DrbdVolume['device'] = {};
      const peer: DrbdVolume['device'] = {};
      for (const [key, value] of Object.entries(d.counters) as Array<[DrbdCounter, string]>) {
        (PEER_COUNTERS.has(key) ? peer : device)[key] = value;
      }
      return { minor: d.minor, device, peers: [{ name: null, counters: peer }] };
    });
  return { volumes };
}

/** What one field of a DRBD graph shows. */
interface Measure {
  counter: DrbdCounter;
  /** Suffix of the field name: the original plugins named oos `os`. */
  suffix: string;
  label: string;
  info: string;
  type: 'DERIVE' | 'GAUGE';
  /** KiB to bytes. */
  kib?: boolean;
}

export interface DrbdGraphSpec {
  attributes: Array<[string, string]>;
  measures: Measure[];
}

const COMMON: Array<[string, string]> = [
  ['graph_scale', 'yes'],
  ['graph_period', 'second'],
  ['graph_height', '200'],
  ['graph_width', '400'],
  ['graph_printf', '%7.2lf'],
];

export const DRBD_GRAPHS: Record<'drbd' | 'drbd_al' | 'drbd_ext', DrbdGraphSpec> = {
  drbd: {
    attributes: [
      ['graph_title', 'DRBD disk and network traffic'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: local disk reads and writes, replication traffic sent to and received from the peer, and the amount of data out of sync (bytes, not a rate).'],
      ['graph_vlabel', 'bytes per ${graph_period}'],
      ['graph_args', '--base 1024 --lower-limit 0'],
      ...COMMON,
    ],
    measures: [
      { counter: 'dr', suffix: 'dr', label: 'disk read', info: 'Read from the local disk (dr).', type: 'DERIVE', kib: true },
      { counter: 'dw', suffix: 'dw', label: 'disk write', info: 'Written to the local disk (dw).', type: 'DERIVE', kib: true },
      { counter: 'ns', suffix: 'ns', label: 'network send', info: 'Sent to the peer over the network (ns).', type: 'DERIVE', kib: true },
      { counter: 'nr', suffix: 'nr', label: 'network receive', info: 'Received from the peer over the network (nr).', type: 'DERIVE', kib: true },
      { counter: 'oos', suffix: 'os', label: 'out of sync', info: 'Data currently out of sync with the peer (oos), in bytes: an amount, not a rate.', type: 'GAUGE', kib: true },
    ],
  },
  drbd_al: {
    attributes: [
      ['graph_title', 'DRBD activity log updates'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: updates of the activity log area of the metadata (al). Many updates mean writes spread over more extents than al-extents covers.'],
      ['graph_vlabel', 'updates per ${graph_period}'],
      ['graph_args', '--base 1000 --lower-limit 0'],
      ...COMMON,
    ],
    measures: [
      { counter: 'al', suffix: 'al', label: 'activity log updates', info: 'Activity log updates of the metadata (al).', type: 'DERIVE' },
    ],
  },
  drbd_ext: {
    attributes: [
      ['graph_title', 'DRBD bitmap updates and requests in flight'],
      ['graph_category', 'disk'],
      ['graph_info', 'Per DRBD device: bitmap updates per second (bm) and the number of requests in flight at the moment of the reading (lo pe ua ap ep).'],
      ['graph_vlabel', 'updates per ${graph_period} / requests'],
      ['graph_args', '--base 1000 --lower-limit 0'],
      ...COMMON,
    ],
    measures: [
      { counter: 'bm', suffix: 'bm', label: 'bitmap updates', info: 'Bitmap updates of the metadata per second (bm).', type: 'DERIVE' },
      { counter: 'lo', suffix: 'lo', label: 'local pending', info: 'Requests open to the local disk (lo).', type: 'GAUGE' },
      { counter: 'pe', suffix: 'pe', label: 'pending', info: 'Requests sent to the peer, not yet answered (pe).', type: 'GAUGE' },
      { counter: 'ua', suffix: 'ua', label: 'unacknowledged', info: 'Requests received from the peer, not yet acknowledged (ua).', type: 'GAUGE' },
      { counter: 'ap', suffix: 'ap', label: 'application pending', info: 'Block I/O requests forwarded to DRBD, not yet answered (ap).', type: 'GAUGE' },
      { counter: 'ep', suffix: 'ep', label: 'epochs', info: 'Epoch objects (ep), DRBD 8 only.', type: 'GAUGE' },
    ],
  },
};

export function drbdPlugin(spec: DrbdGraphSpec, env: NodeJS.ProcessEnv): Plugin {
  return {
    autoconf() {
      const source = readDrbd(env);
      if ('unavailable' in source) return `no (${source.unavailable})`;
      if (source.volumes.length === 0) return 'no (no DRBD device is configured)';
      return 'yes';
    },
    graph(withValues) {
      const source = readDrbd(env);
      const volumes = 'volumes' in source ? source.volumes : [];
      const rows: Array<{ candidate: string; identity: string; label: string; info: string; measure: Measure; value: string | null | undefined }> = [];
      for (const volume of volumes) {
        const device = `drbd${volume.minor}`;
        for (const peer of volume.peers) {
          // With one peer the names are the DRBD 8 names, so history survives an 8 to 9 upgrade.
          const peerPart = volume.peers.length > 1 && peer.name ? peer.name : '';
          for (const measure of spec.measures) {
            const perPeer = PEER_COUNTERS.has(measure.counter);
            if (!perPeer && peer !== volume.peers[0]) continue;
            const counters = perPeer ? peer.counters : volume.device;
            if (!(measure.counter in counters)) continue;
            rows.push({
              candidate: device + (perPeer ? peerPart.toLowerCase().replace(/[^a-z0-9_]/g, '_') : '') + measure.suffix,
              identity: `${device}/${perPeer ? peer.name ?? '' : ''}/${measure.counter}`,
              label: `${device}${perPeer && peerPart ? ` to ${peerPart}` : ''} ${measure.label}`,
              info: measure.info,
              measure,
              value: counters[measure.counter],
            });
          }
        }
      }
      const names = uniqueFieldNames(rows.map((r) => ({ name: r.candidate, identity: r.identity })));
      const fields: Field[] = rows.map((row, i): Field => {
        const name = names[i]!;
        return {
          name,
          label: row.label,
          info: row.info,
          type: row.measure.type,
          min: 0,
          cdef: row.measure.kib ? `${name},1024,*` : undefined,
          value: withValues ? row.value ?? null : null,
        };
      });
      const graph: Graph = { attributes: spec.attributes, fields };
      return graph;
    },
  };
}
