// `npm run demo`: the plugins against a built-in sample system, as munin-node runs them.
//
// Builds the seed's example on disk (target iqn.2016-09.com.example:iscsitgt01, four initiators,
// four LUNs, DRBD resource r0 on minor 0; a two-node Pacemaker cluster after a failover), lets five minutes of traffic pass, and shows each
// plugin's `config` and its two fetches exactly as munin-node would receive them, then the rates
// Munin would draw from them. The collector archives a stats snapshot at both moments, and the
// archive reader turns them back into a rate.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { takeSnapshot } from '../collector/snapshot.js';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildLioTree, seedSystem, setTraffic, type TargetSpec } from './support/lio-tree.js';
import { procDrbd84 } from './support/proc-drbd.js';
import { ClusterStates } from './support/pacemaker.js';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };

/** Every plugin (plugins/list.json), the LIO ones first: they are what the demo is about. */
const PLUGINS = [...PLUGIN_LIST.filter((p) => p.startsWith('lio_')), ...PLUGIN_LIST.filter((p) => !p.startsWith('lio_'))];
const INTERVAL = 300; // seconds between two munin-update runs

const dist = dirname(process.argv[1]!);
const base = join(tmpdir(), 'lio-munin-demo');
// As munin-node runs plugins: multigraph announced, and a state directory of their own.
const env = {
  ...process.env,
  target_root: join(base, 'sys/kernel/config/target'),
  drbd_proc: join(base, 'proc/drbd'),
  MUNIN_CAP_MULTIGRAPH: '1',
  MUNIN_PLUGSTATE: join(base, 'var/lib/munin-node/plugin-state'),
  // pacemaker: a two-node cluster state made by crm_simulate (where pacemaker-cli-utils is), g_tgt
  // failed over to node2, read by crm_mon; the seed's rule says node1 serves.
  CIB_file: join(base, 'cluster/failover.xml'),
  preferred_node: 'node1',
};
const archive = join(base, 'var/log/lio');
const later = new Date();
const earlier = new Date(later.getTime() - INTERVAL * 1000);

/** Initiator n reads n MiB/s and writes n/2 MiB/s from each LUN; totals as the kernel counts. */
function traffic(seconds: number) {
  return (t: TargetSpec, initiator: string, lun: number) => {
    const n = t.acls.findIndex((a) => a.initiator === initiator) + 1;
    return { read: 50_000 * n + lun * 1000 + n * seconds, write: 20_000 * n + lun * 1000 + Math.floor((n * seconds) / 2) };
  };
}

function drbdAt(seconds: number): string {
  // r0 replicates what the four initiators write: 5 MiB/s on the disk and on the wire.
  const kib = 5 * 1024 * seconds;
  return procDrbd84([{ minor: 0, ns: 9_000_000 + kib, nr: 0, dw: 9_000_000 + kib, dr: 31_000_000 + 2 * kib, al: 800 + seconds / 10, bm: 12, oos: 0 }]);
}

function run(plugin: string, mode?: string): string {
  return exec(join(dist, 'plugins', plugin), mode ? [mode] : []);
}

function exec(file: string, args: string[]): string {
  const result = spawnSync(file, args, { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  if (result.stderr) process.stdout.write(result.stderr);
  return result.stdout;
}

function values(output: string): Map<string, number> {
  return new Map([...output.matchAll(/^(\w+)\.value (\d+(?:\.\d+)?)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

function section(title: string): void {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
}

async function main(): Promise<void> {
  rmSync(base, { recursive: true, force: true });
  const spec = seedSystem();
  buildLioTree(env.target_root, spec);
  mkdirSync(dirname(env.drbd_proc), { recursive: true });
  mkdirSync(env.MUNIN_PLUGSTATE, { recursive: true });
  if (existsSync('/usr/sbin/crm_simulate')) {
    const cluster = new ClusterStates(join(base, 'cluster'));
    mkdirSync(cluster.dir);
    cluster.healthy();
    cluster.simulate('healthy', 'failover', ['--node-fail', 'node1'], '2026-01-01 00:05:00');
  }

  setTraffic(env.target_root, spec, traffic(0));
  writeFileSync(env.drbd_proc, drbdAt(0));
  const snapshot = { root: env.target_root, archive, kind: 'stats', drbdProc: env.drbd_proc } as const;
  await takeSnapshot({ ...snapshot, now: earlier });
  process.stdout.write(`Sample system built under ${base}\n(target_root=${env.target_root} drbd_proc=${env.drbd_proc})\n`);

  const first = new Map<string, string>();
  for (const plugin of PLUGINS) {
    section(`${plugin} autoconf`);
    process.stdout.write(run(plugin, 'autoconf'));
    section(`${plugin} config`);
    process.stdout.write(run(plugin, 'config'));
    section(`${plugin} fetch at t=0`);
    first.set(plugin, run(plugin));
    process.stdout.write(first.get(plugin)!);
  }

  setTraffic(env.target_root, spec, traffic(INTERVAL));
  writeFileSync(env.drbd_proc, drbdAt(INTERVAL));
  const latest = await takeSnapshot({ ...snapshot, now: later });
  for (const plugin of PLUGINS) {
    const config = run(plugin, 'config');
    const second = run(plugin);
    section(`${plugin} fetch at t=${INTERVAL}s, and what Munin draws`);
    process.stdout.write(second);
    const before = values(first.get(plugin)!);
    const types = new Map([...config.matchAll(/^(\w+)\.type (\w+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const scale = new Map([...config.matchAll(/^(\w+)\.cdef \w+,(\d+),\*$/gm)].map((m) => [m[1]!, Number(m[2])]));
    const labels = new Map([...config.matchAll(/^(\w+)\.label (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const [name, value] of values(second)) {
      const factor = scale.get(name) ?? 1;
      const shown = types.get(name) === 'DERIVE' ? ((value - before.get(name)!) / INTERVAL) * factor : value * factor;
      const unit = types.get(name) === 'DERIVE' ? '/s' : '';
      const pretty = factor > 1 ? `${(shown / 1048576).toFixed(2)} MiB${unit}` : `${shown.toFixed(2)}${unit}`;
      process.stdout.write(`  ${labels.get(name)!.padEnd(40)} ${pretty}\n`);
    }
  }

  section(`collector: stats snapshot ${latest.path} (${latest.entries} entries, ${latest.bytes} bytes), first lines`);
  process.stdout.write(gunzipSync(readFileSync(latest.path)).toString('utf8').split('\n').slice(0, 12).join('\n') + '\n...\n');
  section('archive reader: lio-collector archive series for initiator01 on LUN 0');
  const collector = join(dist, 'collector', 'lio-collector');
  const pattern = '*initiator01/lun_0/statistics/scsi_auth_intr/read_mbytes';
  process.stdout.write(exec(collector, ['archive', 'series', pattern, '--archive', archive, '--from', '-10m']));

  section('done');
  process.stdout.write(`Run a plugin yourself: target_root=${env.target_root} ${join(dist, 'plugins', 'lio_read')} config\n`);
  process.stdout.write(`Read the archive yourself: ${collector} archive list --archive ${archive}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
