// The drbd_state plugin (replication health with alert ranges) through the built plugin and
// Debian's real munin-run (as nobody, MUNIN_CAP_MULTIGRAPH=1; graphs drbd_state, drbd_state.role,
// drbd_state.resync, drbd_state.resync_time, drbd_state.out_of_sync): DRBD 8 /proc/drbd files written
// for each case, DRBD 9 events2 samples via env.drbd_events2, the env.* ranges and labels, bad
// input, devices that disappear, autoconf, and a master without multigraph.
//
// Expected values come from the inputs and the plugin's POD: connected 1/0; disk and peerdisk 1
// UpToDate, 0.5 degraded (Inconsistent, Outdated, Consistent, DUnknown, ...), 0 Failed or
// Diskless (a diskless client by configuration 1); primary 1/0; quorum 1/0; suspended 0 for
// `no`, else 1; synced the percent (100 when no resync runs); eta the finish: time in seconds
// (0 when none); oos KiB as printed (bytes through cdef). Default ranges: connected critical
// 1:, disk and peerdisk warning 1: critical 0.5:, quorum critical 1:, suspended critical :0,
// synced warning 100:.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIST_PLUGINS, muninRun, parseFields, type RunResult } from '../support/munin-run.js';
import { tempDir } from '../support/tmp.js';
import { copyFixture, DRBD9_FIXTURES, DRBD9_PROC, THREE_PEERS_EVENTS2, writableDir } from '../support/fake-drbdsetup.js';

const HEADER = 'version: 8.4.11-1 (api:1/proto:86-101)\nGIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by mockbuild@, 2018-04-26 10:38:05\n';
const stats = (oos: number, nr = 0) => `    ns:0 nr:${nr} dw:${nr} dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:${oos}\n`;

// Minor 0 healthy Primary, 1 StandAlone Primary, 2 SyncTarget at 42.4% (finish 1:23:28, M
// amounts), 3 Connected with no local disk.
const DEV0 = ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n' + stats(0);
const DEV1 = ' 1: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n' + stats(2048);
const DEV2 =
  ' 2: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n' +
  stats(301729988, 12031428) +
  "\t[=======>............] sync'ed: 42.4% (294656/510908)M\n" +
  '\tfinish: 1:23:28 speed: 60,172 (51,448) want: 102,400 K/sec\n';
const DEV3 = ' 3: cs:Connected ro:Secondary/Primary ds:Diskless/UpToDate C r-----\n' + stats(0);
const FOUR_DEVICES = HEADER + DEV0 + DEV1 + DEV2 + DEV3;

const NOT_CONFIGURED = (minor: number) =>
  `drbd${minor} is not configured now (it was before); remove lio-munin-drbd-state.json from the plugin state directory if it was removed on purpose`;

/** A world-readable file (munin-run runs the plugin as nobody). */
function file(path: string, text: string): string {
  writeFileSync(path, text);
  chmodSync(path, 0o644);
  return path;
}

/** `name.value v` lines. */
const values = (pairs: Array<[string, string]>) => pairs.map(([name, value]) => `${name}.value ${value}\n`).join('');

/** The graphs in print order, and the key each has in the expected values below. */
const GRAPHS = { health: 'drbd_state', role: 'drbd_state.role', resync: 'drbd_state.resync', eta: 'drbd_state.resync_time', oos: 'drbd_state.out_of_sync' };
type Graphs = Record<keyof typeof GRAPHS, Array<[string, string]>>;

/** A multigraph fetch: each graph's multigraph line, then its value lines. */
const fetchOf = (graphs: Graphs) =>
  (Object.keys(GRAPHS) as Array<keyof typeof GRAPHS>).map((g) => `multigraph ${GRAPHS[g]}\n` + values(graphs[g])).join('');

/** The names of the fields a config or fetch output has, sorted. */
const fieldNames = (output: string) => [...parseFields(output).keys()].sort();

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('DRBD 8: Connected, StandAlone, SyncTarget at 42.4%, Diskless', () => {
  const dir = tempDir();
  const env = () => ({ drbd_proc: file(`${dir}/proc-drbd`, FOUR_DEVICES), MUNIN_PLUGSTATE: writableDir(`${dir}/state`) });

  const FETCH = fetchOf({
    health: [
      ['drbd0connected', '1'], ['drbd0disk', '1'], ['drbd0peerdisk', '1'],
      ['drbd1connected', '0'], ['drbd1disk', '1'], ['drbd1peerdisk', '0.5'],
      ['drbd2connected', '1'], ['drbd2disk', '0.5'], ['drbd2peerdisk', '1'],
      ['drbd3connected', '1'], ['drbd3disk', '0'], ['drbd3peerdisk', '1'],
    ],
    role: [['drbd0primary', '1'], ['drbd1primary', '1'], ['drbd2primary', '0'], ['drbd3primary', '0']],
    resync: [['drbd0synced', '100'], ['drbd1synced', '100'], ['drbd2synced', '42.4'], ['drbd3synced', '100']],
    eta: [['drbd0eta', '0'], ['drbd1eta', '0'], ['drbd2eta', '5008'], ['drbd3eta', '0']],
    oos: [['drbd0oos', '0'], ['drbd1oos', '2048'], ['drbd2oos', '301729988'], ['drbd3oos', '0']],
  });

  it('fetch: every value, in the five graphs', () => {
    expect(muninRun(dir, 'drbd_state', undefined, env())).toEqual({ stdout: FETCH, stderr: '', status: 0 });
  });

  it('config: the five graphs in order, each field with its label, ranges and what the kernel said', () => {
    const run = muninRun(dir, 'drbd_state', 'config', env());
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = lines(run.stdout);
    expect(out.filter((l) => l.startsWith('multigraph '))).toEqual([
      'multigraph drbd_state', 'multigraph drbd_state.role', 'multigraph drbd_state.resync', 'multigraph drbd_state.resync_time', 'multigraph drbd_state.out_of_sync',
    ]);
    expect(out.filter((l) => l.startsWith('graph_category '))).toEqual(Array(5).fill('graph_category disk'));

    const sectionOf = (name: string) => out.filter((l) => l.startsWith(`${name}.`) && !l.startsWith(`${name}.info `));
    expect(sectionOf('drbd1connected')).toEqual([
      'drbd1connected.label drbd1 connected',
      'drbd1connected.type GAUGE',
      'drbd1connected.critical 1:',
      'drbd1connected.extinfo cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown',
    ]);
    expect(sectionOf('drbd1peerdisk')).toEqual([
      'drbd1peerdisk.label drbd1 peer disk',
      'drbd1peerdisk.type GAUGE',
      'drbd1peerdisk.warning 1:',
      'drbd1peerdisk.critical 0.5:',
      'drbd1peerdisk.extinfo cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown',
    ]);
    expect(sectionOf('drbd3disk')).toEqual([
      'drbd3disk.label drbd3 local disk',
      'drbd3disk.type GAUGE',
      'drbd3disk.warning 1:',
      'drbd3disk.critical 0.5:',
      'drbd3disk.extinfo cs:Connected ro:Secondary/Primary ds:Diskless/UpToDate',
    ]);
    expect(sectionOf('drbd0primary')).toEqual([
      'drbd0primary.label drbd0 primary',
      'drbd0primary.type GAUGE',
      'drbd0primary.extinfo cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate',
    ]);
    expect(sectionOf('drbd2synced')).toEqual([
      'drbd2synced.label drbd2 resync done',
      'drbd2synced.type GAUGE',
      'drbd2synced.warning 100:',
      "drbd2synced.extinfo cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate sync'ed:42.4% finish:1:23:28",
    ]);
    expect(sectionOf('drbd2eta')).toEqual([
      'drbd2eta.label drbd2 resync time left',
      'drbd2eta.type GAUGE',
      "drbd2eta.extinfo cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate sync'ed:42.4% finish:1:23:28",
    ]);
    expect(sectionOf('drbd1oos')).toEqual([
      'drbd1oos.label drbd1 out of sync',
      'drbd1oos.type GAUGE',
      'drbd1oos.cdef drbd1oos,1024,*',
      'drbd1oos.extinfo cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown',
    ]);
    // Every field has an info line; the ranges of every field of a kind are the defaults.
    const fields = parseFields(run.stdout);
    for (const [name, attrs] of fields) expect(attrs.info, name).toBeTruthy();
    const ranges = [...fields].map(([name, a]) => [name, a.warning ?? '-', a.critical ?? '-']);
    expect(ranges).toEqual([
      ['drbd0connected', '-', '1:'], ['drbd0disk', '1:', '0.5:'], ['drbd0peerdisk', '1:', '0.5:'],
      ['drbd1connected', '-', '1:'], ['drbd1disk', '1:', '0.5:'], ['drbd1peerdisk', '1:', '0.5:'],
      ['drbd2connected', '-', '1:'], ['drbd2disk', '1:', '0.5:'], ['drbd2peerdisk', '1:', '0.5:'],
      ['drbd3connected', '-', '1:'], ['drbd3disk', '1:', '0.5:'], ['drbd3peerdisk', '1:', '0.5:'],
      ['drbd0primary', '-', '-'], ['drbd1primary', '-', '-'], ['drbd2primary', '-', '-'], ['drbd3primary', '-', '-'],
      ['drbd0synced', '100:', '-'], ['drbd1synced', '100:', '-'], ['drbd2synced', '100:', '-'], ['drbd3synced', '100:', '-'],
      ['drbd0eta', '-', '-'], ['drbd1eta', '-', '-'], ['drbd2eta', '-', '-'], ['drbd3eta', '-', '-'],
      ['drbd0oos', '-', '-'], ['drbd1oos', '-', '-'], ['drbd2oos', '-', '-'], ['drbd3oos', '-', '-'],
    ]);
  });

  it('dirtyconfig: config carries the values of fetch', () => {
    const config = muninRun(dir, 'drbd_state', 'config', env());
    const dirty = muninRun(dir, 'drbd_state', 'config', env(), { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(dirty.status).toBe(0);
    expect(dirty.stderr).toBe('');
    // Each graph's value lines follow its config lines.
    expect(lines(dirty.stdout).filter((l) => l.includes('.value '))).toEqual(lines(FETCH).filter((l) => l.includes('.value ')));
    expect(lines(dirty.stdout).filter((l) => !l.includes('.value '))).toEqual(lines(config.stdout));
  });

  it('autoconf: yes', () => {
    expect(muninRun(dir, 'drbd_state', 'autoconf', env())).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });
  });
});

describe('field names do not depend on the state: StandAlone -> WFConnection -> SyncTarget -> Connected', () => {
  const dir = tempDir();
  const STEPS: Array<[string, string, string, string]> = [
    // [device line and its details, connected, synced, eta]
    [' 0: cs:StandAlone ro:Secondary/Unknown ds:Outdated/DUnknown   r-----\n' + stats(4096), '0', '100', '0'],
    [' 0: cs:WFConnection ro:Secondary/Unknown ds:Outdated/DUnknown C r-----\n' + stats(4096), '0', '100', '0'],
    [
      ' 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n' + stats(2048, 2048) +
        "\t[=========>..........] sync'ed: 50.0% (2048/4096)K\n\tfinish: 0:00:02 speed: 1,024 (1,024) want: 4,096 K/sec\n",
      '1', '50', '2',
    ],
    [' 0: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r-----\n' + stats(0, 4096), '1', '100', '0'],
  ];
  const NAMES = ['drbd0connected', 'drbd0disk', 'drbd0eta', 'drbd0oos', 'drbd0peerdisk', 'drbd0primary', 'drbd0synced'];

  it('the same sorted field names in config at every step, with the values of each step', () => {
    const state = writableDir(`${dir}/state`);
    for (const [i, [device, connected, synced, eta]] of STEPS.entries()) {
      const env = { drbd_proc: file(`${dir}/proc-drbd-${i}`, HEADER + device), MUNIN_PLUGSTATE: state };
      const config = muninRun(dir, 'drbd_state', 'config', env);
      expect(config.stderr, `step ${i}`).toBe('');
      expect(fieldNames(config.stdout), `step ${i}`).toEqual(NAMES);
      const fetched = parseFields(muninRun(dir, 'drbd_state', undefined, env).stdout);
      expect([fetched.get('drbd0connected')!.value, fetched.get('drbd0synced')!.value, fetched.get('drbd0eta')!.value], `step ${i}`).toEqual([connected, synced, eta]);
    }
  });
});

describe('DRBD 9 through env.drbd_events2', () => {
  const dir = tempDir();
  const env9 = (name: string, events2: string) => ({
    drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd`),
    drbd_events2: events2,
    MUNIN_PLUGSTATE: writableDir(`${dir}/state-${name}`),
  });
  const sampleFile = (name: string) => copyFixture(new URL(name, DRBD9_FIXTURES), `${dir}/${name}`);

  it('one peer (r0, minors 7 and 8, peer remote-host): DRBD 8 field names, no quorum field, suspended:no is 0', () => {
    const env = env9('ug9', sampleFile('linbit-ug9-events2-statistics-now.txt'));
    expect(muninRun(dir, 'drbd_state', undefined, env)).toEqual({
      stdout: fetchOf({
        health: [['drbd7connected', '1'], ['drbd7disk', '1'], ['drbd7peerdisk', '1'], ['drbd8connected', '1'], ['drbd8disk', '1'], ['drbd8peerdisk', '1']],
        role: [['drbd7primary', '0'], ['drbd7suspended', '0'], ['drbd8primary', '0'], ['drbd8suspended', '0']],
        resync: [['drbd7synced', '100'], ['drbd8synced', '100']],
        eta: [['drbd7eta', '0'], ['drbd8eta', '0']],
        oos: [['drbd7oos', '0'], ['drbd8oos', '0']],
      }),
      stderr: '',
      status: 0,
    });
    const config = muninRun(dir, 'drbd_state', 'config', env);
    expect(config.stderr).toBe('');
    const out = lines(config.stdout);
    expect(out).toContain('drbd7connected.label drbd7 (r0) connected (peer remote-host)');
    expect(out).toContain('drbd7connected.extinfo role:Secondary suspended:no disk:UpToDate; peer remote-host: connection:Connected role:Secondary replication:Established peer-disk:UpToDate');
    expect(out).toContain('drbd8disk.label drbd8 (r0) local disk');
    expect(out).toContain('drbd8disk.extinfo role:Secondary suspended:no disk:UpToDate');
    expect(out).toContain('drbd7suspended.label drbd7 (r0) I/O suspended');
    expect(out).toContain('drbd7suspended.critical :0');
    expect(out).toContain('drbd8peerdisk.label drbd8 (r0) peer disk (peer remote-host)');
    expect(fieldNames(config.stdout).filter((name) => name.includes('quorum'))).toEqual([]);
  });

  it('a resync (drbd-utils sync sample: done:37.50 eta:10 out-of-sync:2500), quorum:yes gives a quorum field', () => {
    const env = env9('sync', sampleFile('drbd-utils-test-events2-sync-statistics.txt'));
    expect(muninRun(dir, 'drbd_state', undefined, env)).toEqual({
      stdout: fetchOf({
        health: [['drbd1000connected', '1'], ['drbd1000disk', '1'], ['drbd1000peerdisk', '0.5'], ['drbd1000quorum', '1']],
        role: [['drbd1000primary', '0'], ['drbd1000suspended', '0']],
        resync: [['drbd1000synced', '37.5']],
        eta: [['drbd1000eta', '10']],
        oos: [['drbd1000oos', '2500']],
      }),
      stderr: '',
      status: 0,
    });
    const out = lines(muninRun(dir, 'drbd_state', 'config', env).stdout);
    expect(out).toContain('drbd1000quorum.label drbd1000 (some-resource) quorum');
    expect(out).toContain('drbd1000quorum.critical 1:');
    expect(out).toContain('drbd1000synced.extinfo role:Secondary suspended:no disk:UpToDate client:no quorum:yes; peer some-peer: connection:Connected role:Secondary replication:SyncSource peer-disk:Inconsistent done:37.50 eta:10');
  });

  it('two peers (centreon sample): the peer in the name as the drbd plugin puts it, per peer labels', () => {
    const env = env9('centreon', sampleFile('centreon-events2-statistics-now.txt'));
    expect(muninRun(dir, 'drbd_state', undefined, env)).toEqual({
      stdout: fetchOf({
        health: [
          ['drbd1central_2004connected', '1'], ['drbd1poller_2004_1connected', '1'], ['drbd1disk', '1'],
          ['drbd1central_2004peerdisk', '1'], ['drbd1poller_2004_1peerdisk', '1'], ['drbd1quorum', '1'],
        ],
        role: [['drbd1primary', '0'], ['drbd1suspended', '0']],
        resync: [['drbd1central_2004synced', '100'], ['drbd1poller_2004_1synced', '100']],
        eta: [['drbd1central_2004eta', '0'], ['drbd1poller_2004_1eta', '0']],
        oos: [['drbd1central_2004oos', '0'], ['drbd1poller_2004_1oos', '0']],
      }),
      stderr: '',
      status: 0,
    });
    const out = lines(muninRun(dir, 'drbd_state', 'config', env).stdout);
    expect(out).toContain('drbd1poller_2004_1connected.label drbd1 (drbd1) connected (peer poller-2004-1)');
    expect(out).toContain('drbd1central_2004peerdisk.extinfo role:Secondary suspended:no disk:UpToDate client:no quorum:yes; peer central-2004: connection:Connected role:Primary replication:Established peer-disk:UpToDate');
    expect(out).toContain('drbd1central_2004oos.cdef drbd1central_2004oos,1024,*');
  });

  it('three peers, one of them Connecting (Off, DUnknown, 1048412 KiB out of sync)', () => {
    const env = env9('three', file(`${dir}/three-peers`, THREE_PEERS_EVENTS2));
    expect(muninRun(dir, 'drbd_state', undefined, env)).toEqual({
      stdout: fetchOf({
        health: [
          ['drbd0ninaconnected', '1'], ['drbd0ninoconnected', '1'], ['drbd0nonoconnected', '0'], ['drbd0disk', '1'],
          ['drbd0ninapeerdisk', '1'], ['drbd0ninopeerdisk', '1'], ['drbd0nonopeerdisk', '0.5'], ['drbd0quorum', '1'],
        ],
        role: [['drbd0primary', '0'], ['drbd0suspended', '0']],
        resync: [['drbd0ninasynced', '100'], ['drbd0ninosynced', '100'], ['drbd0nonosynced', '100']],
        eta: [['drbd0ninaeta', '0'], ['drbd0ninoeta', '0'], ['drbd0nonoeta', '0']],
        oos: [['drbd0ninaoos', '0'], ['drbd0ninooos', '0'], ['drbd0nonooos', '1048412']],
      }),
      stderr: '',
      status: 0,
    });
    const out = lines(muninRun(dir, 'drbd_state', 'config', env).stdout);
    expect(out).toContain('drbd0nonoconnected.label drbd0 (home) connected (peer nono)');
    expect(out).toContain('drbd0nonoconnected.critical 1:');
    expect(out).toContain('drbd0nonoconnected.extinfo role:Secondary suspended:no disk:UpToDate client:no quorum:yes; peer nono: connection:Connecting role:Unknown replication:Off peer-disk:DUnknown');
  });

  it('quorum lost and I/O suspended for it: quorum 0, suspended 1; suspended:user is 1 too', () => {
    const text = [
      'exists resource name:data role:Primary suspended:quorum write-ordering:flush',
      'exists connection name:data peer-node-id:1 conn-name:beta connection:Connecting role:Unknown congested:no ap-in-flight:0 rs-in-flight:0',
      'exists device name:data volume:0 minor:3 disk:UpToDate client:no quorum:no size:1024 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:2 lower-pending:0 al-suspended:no blocked:upper',
      'exists peer-device name:data peer-node-id:1 conn-name:beta volume:0 replication:Off peer-disk:DUnknown peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:64 pending:0 unacked:0',
      'exists resource name:logs role:Secondary suspended:user write-ordering:flush',
      'exists connection name:logs peer-node-id:1 conn-name:beta connection:Connected role:Primary congested:no ap-in-flight:0 rs-in-flight:0',
      'exists device name:logs volume:0 minor:4 disk:UpToDate client:no quorum:yes size:1024 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:no blocked:no',
      'exists peer-device name:logs peer-node-id:1 conn-name:beta volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
      'exists -',
      '',
    ].join('\n');
    const env = env9('quorum', file(`${dir}/quorum`, text));
    expect(muninRun(dir, 'drbd_state', undefined, env)).toEqual({
      stdout: fetchOf({
        health: [
          ['drbd3connected', '0'], ['drbd3disk', '1'], ['drbd3peerdisk', '0.5'], ['drbd3quorum', '0'],
          ['drbd4connected', '1'], ['drbd4disk', '1'], ['drbd4peerdisk', '1'], ['drbd4quorum', '1'],
        ],
        role: [['drbd3primary', '1'], ['drbd3suspended', '1'], ['drbd4primary', '0'], ['drbd4suspended', '1']],
        resync: [['drbd3synced', '100'], ['drbd4synced', '100']],
        eta: [['drbd3eta', '0'], ['drbd4eta', '0']],
        oos: [['drbd3oos', '64'], ['drbd4oos', '0']],
      }),
      stderr: '',
      status: 0,
    });
    const out = lines(muninRun(dir, 'drbd_state', 'config', env).stdout);
    expect(out).toContain('drbd3quorum.extinfo role:Primary suspended:quorum disk:UpToDate client:no quorum:no');
    expect(out).toContain('drbd4suspended.extinfo role:Secondary suspended:user disk:UpToDate client:no quorum:yes');
  });

  it('a diskless client (client:yes) and a peer that is one (peer-client:yes) count as 1; a Diskless peer that is not one as 0', () => {
    const text = [
      'exists resource name:vol role:Secondary suspended:no write-ordering:flush',
      'exists connection name:vol peer-node-id:0 conn-name:store connection:Connected role:Primary congested:no',
      'exists connection name:vol peer-node-id:2 conn-name:tie connection:Connected role:Secondary congested:no',
      'exists connection name:vol peer-node-id:3 conn-name:broken connection:Connected role:Secondary congested:no',
      'exists device name:vol volume:0 minor:12 disk:Diskless client:yes quorum:yes size:2048 read:0 written:0 al-writes:0 bm-writes:0 upper-pending:0 lower-pending:0',
      'exists peer-device name:vol peer-node-id:0 conn-name:store volume:0 replication:Established peer-disk:UpToDate peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
      'exists peer-device name:vol peer-node-id:2 conn-name:tie volume:0 replication:Established peer-disk:Diskless peer-client:yes resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
      'exists peer-device name:vol peer-node-id:3 conn-name:broken volume:0 replication:Established peer-disk:Diskless peer-client:no resync-suspended:no received:0 sent:0 out-of-sync:0 pending:0 unacked:0',
      'exists -',
      '',
    ].join('\n');
    const env = env9('client', file(`${dir}/client`, text));
    const health = lines(muninRun(dir, 'drbd_state', undefined, env).stdout).slice(0, 10);
    expect(health).toEqual([
      'multigraph drbd_state',
      'drbd12brokenconnected.value 1', 'drbd12storeconnected.value 1', 'drbd12tieconnected.value 1',
      'drbd12disk.value 1',
      'drbd12brokenpeerdisk.value 0', 'drbd12storepeerdisk.value 1', 'drbd12tiepeerdisk.value 1',
      'drbd12quorum.value 1',
      'multigraph drbd_state.role',
    ]);
  });

  it('autoconf: yes', () => {
    expect(muninRun(dir, 'drbd_state', 'autoconf', env9('autoconf', sampleFile('linbit-ug9-events2-now.txt')))).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });
  });

  it('events2 that cannot be read after a good reading: the known fields stay, every value U', () => {
    const env = env9('gone', file(`${dir}/gone`, THREE_PEERS_EVENTS2));
    expect(muninRun(dir, 'drbd_state', undefined, env).stdout).not.toContain(' U\n');
    rmSync(`${dir}/gone`);
    const run = muninRun(dir, 'drbd_state', undefined, env);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`drbd_state: cannot read ${dir}/gone (env.drbd_events2): ENOENT; values not read are U\n`);
    const fetched = parseFields(run.stdout);
    expect([...fetched.keys()]).toEqual([
      'drbd0ninaconnected', 'drbd0ninoconnected', 'drbd0nonoconnected', 'drbd0disk', 'drbd0ninapeerdisk', 'drbd0ninopeerdisk', 'drbd0nonopeerdisk',
      'drbd0quorum', 'drbd0primary', 'drbd0suspended', 'drbd0ninasynced', 'drbd0ninosynced', 'drbd0nonosynced',
      'drbd0ninaeta', 'drbd0ninoeta', 'drbd0nonoeta', 'drbd0ninaoos', 'drbd0ninooos', 'drbd0nonooos',
    ]);
    for (const [name, { value }] of fetched) expect(value, name).toBe('U');
  });

  it('an 8.4 node upgraded to DRBD 9 with one peer keeps its field names (the same MUNIN_PLUGSTATE)', () => {
    // The same post shows the node's 8.4.11 /proc/drbd and drbdsetup 9's events2 for r0, minor 1.
    const state = writableDir(`${dir}/state-upgrade`);
    const drbd8 = { drbd_proc: copyFixture(new URL('../fixtures/proc-drbd/blog-cn-8.4.11-1.txt', import.meta.url), `${dir}/proc-drbd8`), MUNIN_PLUGSTATE: state };
    const before = muninRun(dir, 'drbd_state', undefined, drbd8);
    expect(fieldNames(before.stdout)).toEqual(['drbd1connected', 'drbd1disk', 'drbd1eta', 'drbd1oos', 'drbd1peerdisk', 'drbd1primary', 'drbd1synced']);
    const drbd9 = { ...env9('upgrade', sampleFile('blog-cn-drbd84kmod-events2-statistics-now.txt')), MUNIN_PLUGSTATE: state };
    expect(muninRun(dir, 'drbd_state', undefined, drbd9)).toEqual({
      stdout: fetchOf({
        health: [['drbd1connected', '1'], ['drbd1disk', '1'], ['drbd1peerdisk', '1']],
        role: [['drbd1primary', '1'], ['drbd1suspended', '0']],
        resync: [['drbd1synced', '100']],
        eta: [['drbd1eta', '0']],
        oos: [['drbd1oos', '0']],
      }),
      stderr: '',
      status: 0,
    });
  });
});

describe('env settings', () => {
  const dir = tempDir();
  const env = (extra: Record<string, string>) => ({ drbd_proc: file(`${dir}/proc-drbd`, FOUR_DEVICES), MUNIN_PLUGSTATE: writableDir(`${dir}/state`), ...extra });
  const config = (extra: Record<string, string>) => {
    const run = muninRun(dir, 'drbd_state', 'config', env(extra));
    expect(run.stderr).toBe('');
    return lines(run.stdout);
  };

  it('env.connected_critical 0.5: changes the range of every connected field, nothing else', () => {
    const out = config({ connected_critical: '0.5:' });
    expect(out.filter((l) => /\.critical /.test(l) && l.includes('connected'))).toEqual([
      'drbd0connected.critical 0.5:', 'drbd1connected.critical 0.5:', 'drbd2connected.critical 0.5:', 'drbd3connected.critical 0.5:',
    ]);
    expect(out).toContain('drbd0disk.critical 0.5:');
    expect(out).toContain('drbd0disk.warning 1:');
    expect(out).toContain('drbd2synced.warning 100:');
  });

  it('env.drbd0synced_warning off removes that one warning line; the others stay', () => {
    const out = config({ drbd0synced_warning: 'off' });
    expect(out.filter((l) => /^drbd\dsynced\.warning /.test(l))).toEqual(['drbd1synced.warning 100:', 'drbd2synced.warning 100:', 'drbd3synced.warning 100:']);
  });

  it('env.drbd3disk_critical 0.1: wins over the kind default for that field only', () => {
    const out = config({ drbd3disk_critical: '0.1:' });
    expect(out.filter((l) => /^drbd\ddisk\.critical /.test(l))).toEqual(['drbd0disk.critical 0.5:', 'drbd1disk.critical 0.5:', 'drbd2disk.critical 0.5:', 'drbd3disk.critical 0.1:']);
  });

  it('env.drbd0_resource r0 names the resource in the labels of minor 0 only', () => {
    const out = config({ drbd0_resource: 'r0' });
    expect(out.filter((l) => l.includes('.label '))).toEqual([
      'drbd0connected.label drbd0 (r0) connected', 'drbd0disk.label drbd0 (r0) local disk', 'drbd0peerdisk.label drbd0 (r0) peer disk',
      'drbd1connected.label drbd1 connected', 'drbd1disk.label drbd1 local disk', 'drbd1peerdisk.label drbd1 peer disk',
      'drbd2connected.label drbd2 connected', 'drbd2disk.label drbd2 local disk', 'drbd2peerdisk.label drbd2 peer disk',
      'drbd3connected.label drbd3 connected', 'drbd3disk.label drbd3 local disk', 'drbd3peerdisk.label drbd3 peer disk',
      'drbd0primary.label drbd0 (r0) primary', 'drbd1primary.label drbd1 primary', 'drbd2primary.label drbd2 primary', 'drbd3primary.label drbd3 primary',
      'drbd0synced.label drbd0 (r0) resync done', 'drbd1synced.label drbd1 resync done', 'drbd2synced.label drbd2 resync done', 'drbd3synced.label drbd3 resync done',
      'drbd0eta.label drbd0 (r0) resync time left', 'drbd1eta.label drbd1 resync time left', 'drbd2eta.label drbd2 resync time left', 'drbd3eta.label drbd3 resync time left',
      'drbd0oos.label drbd0 (r0) out of sync', 'drbd1oos.label drbd1 out of sync', 'drbd2oos.label drbd2 out of sync', 'drbd3oos.label drbd3 out of sync',
    ]);
  });
});

describe('bad input: exit 0, U for what was not read, one line per problem on stderr', () => {
  const dir = tempDir();
  const run = (name: string, text: string, mode?: 'config'): RunResult =>
    muninRun(dir, 'drbd_state', mode, { drbd_proc: file(`${dir}/${name}`, text), MUNIN_PLUGSTATE: writableDir(`${dir}/state-${name}`) });
  const notWhole = (name: string) => `drbd_state: ${dir}/${name} is not a whole /proc/drbd (no version line, or cut short); values not read are U\n`;

  it('garbage: no fields, no values, the reason on stderr', () => {
    expect(run('garbage', '<html><body>502 Bad Gateway</body></html>\n')).toEqual({ stdout: '', stderr: notWhole('garbage'), status: 0 });
    const config = run('garbage', '<html><body>502 Bad Gateway</body></html>\n', 'config');
    expect(config.status).toBe(0);
    expect(config.stderr).toBe(notWhole('garbage'));
    expect(parseFields(config.stdout).size).toBe(0);
  });

  it('an empty file: the same', () => {
    expect(run('empty', '')).toEqual({ stdout: '', stderr: notWhole('empty'), status: 0 });
  });

  it('a file cut in the middle of a device line: the cut word and what follows it are U', () => {
    const text = HEADER + DEV0 + ' 1: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpTo';
    expect(run('cut', text)).toEqual({
      stdout: fetchOf({
        health: [['drbd0connected', '1'], ['drbd0disk', '1'], ['drbd0peerdisk', '1'], ['drbd1connected', '1'], ['drbd1disk', '0.5'], ['drbd1peerdisk', 'U']],
        role: [['drbd0primary', '1'], ['drbd1primary', '0']],
        resync: [['drbd0synced', '100'], ['drbd1synced', 'U']],
        eta: [['drbd0eta', '0'], ['drbd1eta', 'U']],
        oos: [['drbd0oos', '0'], ['drbd1oos', 'U']],
      }),
      stderr: notWhole('cut') + 'drbd_state: drbd1: unknown disk state "UpTo" (a newer DRBD?): the values that depend on it are U\n',
      status: 0,
    });
  });

  it('a file cut in the cs: word: every value of that device is U', () => {
    const text = HEADER + DEV0 + ' 1: cs:SyncTar';
    expect(run('cut-cs', text)).toEqual({
      stdout: fetchOf({
        health: [['drbd0connected', '1'], ['drbd0disk', '1'], ['drbd0peerdisk', '1'], ['drbd1connected', 'U'], ['drbd1disk', 'U'], ['drbd1peerdisk', 'U']],
        role: [['drbd0primary', '1'], ['drbd1primary', 'U']],
        resync: [['drbd0synced', '100'], ['drbd1synced', 'U']],
        eta: [['drbd0eta', '0'], ['drbd1eta', 'U']],
        oos: [['drbd0oos', '0'], ['drbd1oos', 'U']],
      }),
      stderr: notWhole('cut-cs') + 'drbd_state: drbd1: unknown connection state "SyncTar" (a newer DRBD?): the values that depend on it are U\n',
      status: 0,
    });
  });

  it('unknown state words (cs:Quantum, ds:Fuzzy/UpToDate): U for what depends on them, a line each on stderr, in config and fetch', () => {
    const text =
      HEADER +
      ' 0: cs:Quantum ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n' + stats(0) +
      ' 1: cs:Connected ro:Primary/Secondary ds:Fuzzy/UpToDate C r-----\n' + stats(0);
    const stderr =
      'drbd_state: drbd0: unknown connection state "Quantum" (a newer DRBD?): the values that depend on it are U\n' +
      'drbd_state: drbd1: unknown disk state "Fuzzy" (a newer DRBD?): the values that depend on it are U\n';
    expect(run('unknown', text)).toEqual({
      stdout: fetchOf({
        health: [['drbd0connected', 'U'], ['drbd0disk', '1'], ['drbd0peerdisk', '1'], ['drbd1connected', '1'], ['drbd1disk', 'U'], ['drbd1peerdisk', '1']],
        role: [['drbd0primary', '1'], ['drbd1primary', '1']],
        resync: [['drbd0synced', 'U'], ['drbd1synced', '100']],
        eta: [['drbd0eta', 'U'], ['drbd1eta', '0']],
        oos: [['drbd0oos', '0'], ['drbd1oos', '0']],
      }),
      stderr,
      status: 0,
    });
    const config = run('unknown', text, 'config');
    expect(config.stderr).toBe(stderr);
    expect(lines(config.stdout)).toContain('drbd0connected.extinfo cs:Quantum ro:Primary/Secondary ds:UpToDate/UpToDate');
    expect(lines(config.stdout)).toContain('drbd1disk.extinfo cs:Connected ro:Primary/Secondary ds:Fuzzy/UpToDate');
  });

  it('an unknown DRBD 9 word (connection:Entangled, replication:Teleporting, disk:Fuzzy): U and a line each', () => {
    const text = [
      'exists resource name:new role:Secondary suspended:no',
      'exists connection name:new peer-node-id:1 conn-name:x connection:Entangled role:Secondary',
      'exists device name:new volume:0 minor:30 disk:Fuzzy client:no quorum:yes',
      'exists peer-device name:new peer-node-id:1 conn-name:x volume:0 replication:Teleporting peer-disk:UpToDate peer-client:no out-of-sync:0',
      'exists -',
      '',
    ].join('\n');
    const result = muninRun(dir, 'drbd_state', undefined, {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`),
      drbd_events2: file(`${dir}/new-words`, text),
      MUNIN_PLUGSTATE: writableDir(`${dir}/state-new-words`),
    });
    expect(result).toEqual({
      stdout: fetchOf({
        health: [['drbd30connected', 'U'], ['drbd30disk', 'U'], ['drbd30peerdisk', '1'], ['drbd30quorum', '1']],
        role: [['drbd30primary', '0'], ['drbd30suspended', '0']],
        resync: [['drbd30synced', 'U']],
        eta: [['drbd30eta', 'U']],
        oos: [['drbd30oos', '0']],
      }),
      stderr:
        'drbd_state: drbd30 (new): unknown connection state "Entangled" (a newer DRBD?): the values that depend on it are U\n' +
        'drbd_state: drbd30 (new): unknown disk state "Fuzzy" (a newer DRBD?): the values that depend on it are U\n' +
        'drbd_state: drbd30 (new): unknown replication state "Teleporting" (a newer DRBD?): the values that depend on it are U\n',
      status: 0,
    });
  });
});

describe('devices seen before', () => {
  const dir = tempDir();

  it('a device missing from a whole /proc/drbd: connected 0 and disk 0 (critical), the rest U, the extinfo says why', () => {
    const state = writableDir(`${dir}/state-missing`);
    const env = (text: string) => ({ drbd_proc: file(`${dir}/proc-drbd-missing`, text), MUNIN_PLUGSTATE: state });
    expect(muninRun(dir, 'drbd_state', undefined, env(HEADER + DEV0 + DEV1)).status).toBe(0);
    const now = env(HEADER + DEV0);
    expect(muninRun(dir, 'drbd_state', undefined, now)).toEqual({
      stdout: fetchOf({
        health: [['drbd0connected', '1'], ['drbd0disk', '1'], ['drbd0peerdisk', '1'], ['drbd1connected', '0'], ['drbd1disk', '0'], ['drbd1peerdisk', 'U']],
        role: [['drbd0primary', '1'], ['drbd1primary', 'U']],
        resync: [['drbd0synced', '100'], ['drbd1synced', 'U']],
        eta: [['drbd0eta', '0'], ['drbd1eta', 'U']],
        oos: [['drbd0oos', '0'], ['drbd1oos', 'U']],
      }),
      stderr: '',
      status: 0,
    });
    const out = lines(muninRun(dir, 'drbd_state', 'config', now).stdout);
    expect(out).toContain(`drbd1connected.extinfo ${NOT_CONFIGURED(1)}`);
    expect(out).toContain(`drbd1disk.extinfo ${NOT_CONFIGURED(1)}`);
    expect(out).toContain('drbd1connected.critical 1:');
    expect(out).toContain('drbd1disk.critical 0.5:');
  });

  it('a device now printed as cs:Unconfigured (drbdadm down) is not configured either', () => {
    const state = writableDir(`${dir}/state-down`);
    const env = (text: string) => ({ drbd_proc: file(`${dir}/proc-drbd-down`, text), MUNIN_PLUGSTATE: state });
    expect(muninRun(dir, 'drbd_state', undefined, env(HEADER + DEV0 + DEV1)).status).toBe(0);
    const fetched = parseFields(muninRun(dir, 'drbd_state', undefined, env(HEADER + DEV0 + ' 1: cs:Unconfigured\n')).stdout);
    expect([fetched.get('drbd1connected')!.value, fetched.get('drbd1disk')!.value, fetched.get('drbd1peerdisk')!.value]).toEqual(['0', '0', 'U']);
  });

  it('garbage after a good run: every known field U, never 0 or 1, the reason in the extinfo', () => {
    const state = writableDir(`${dir}/state-garbage`);
    const env = (text: string) => ({ drbd_proc: file(`${dir}/proc-drbd-garbage`, text), MUNIN_PLUGSTATE: state });
    expect(muninRun(dir, 'drbd_state', undefined, env(FOUR_DEVICES)).stdout).not.toContain(' U\n');
    const garbage = env('<html><body>502 Bad Gateway</body></html>\n');
    const run = muninRun(dir, 'drbd_state', undefined, garbage);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe(`drbd_state: ${dir}/proc-drbd-garbage is not a whole /proc/drbd (no version line, or cut short); values not read are U\n`);
    const fetched = parseFields(run.stdout);
    expect(fetched.size).toBe(28);
    for (const [name, { value }] of fetched) expect(value, name).toBe('U');
    const out = lines(muninRun(dir, 'drbd_state', 'config', garbage).stdout);
    expect(out).toContain(`drbd1connected.extinfo ${dir}/proc-drbd-garbage is not a whole /proc/drbd (no version line, or cut short)`);
  });

  it('a file cut before a known device: that device U (not 0: the file did not say it is gone)', () => {
    const state = writableDir(`${dir}/state-cut`);
    const env = (text: string) => ({ drbd_proc: file(`${dir}/proc-drbd-cut`, text), MUNIN_PLUGSTATE: state });
    expect(muninRun(dir, 'drbd_state', undefined, env(HEADER + DEV0 + DEV1)).status).toBe(0);
    const fetched = parseFields(muninRun(dir, 'drbd_state', undefined, env(HEADER + DEV0 + ' 1: cs')).stdout);
    expect([...fetched].filter(([name]) => name.startsWith('drbd1')).map(([name, { value }]) => `${name} ${value}`)).toEqual([
      'drbd1connected U', 'drbd1disk U', 'drbd1peerdisk U', 'drbd1primary U', 'drbd1synced U', 'drbd1eta U', 'drbd1oos U',
    ]);
  });

  it('/proc/drbd that cannot be read after a good run (EACCES): the known fields stay, U (POD: "when its source cannot be read, its values are U")', () => {
    const state = writableDir(`${dir}/state-eacces`);
    const path = file(`${dir}/proc-drbd-eacces`, FOUR_DEVICES);
    const env = { drbd_proc: path, MUNIN_PLUGSTATE: state };
    expect(muninRun(dir, 'drbd_state', undefined, env).stdout).not.toContain(' U\n');
    chmodSync(path, 0o600); // munin-run runs the plugin as nobody
    const run = muninRun(dir, 'drbd_state', undefined, env);
    expect(run.status).toBe(0);
    const fetched = parseFields(run.stdout);
    expect(fetched.size).toBe(28);
    for (const [name, { value }] of fetched) expect(value, name).toBe('U');
  });

  it('/proc/drbd gone after a good run (the module unloaded): no device is configured now, connected and disk 0', () => {
    const state = writableDir(`${dir}/state-unloaded`);
    const path = file(`${dir}/proc-drbd-unloaded`, HEADER + DEV0);
    const env = { drbd_proc: path, MUNIN_PLUGSTATE: state };
    expect(muninRun(dir, 'drbd_state', undefined, env).stdout).not.toContain(' U\n');
    rmSync(path);
    const fetched = parseFields(muninRun(dir, 'drbd_state', undefined, env).stdout);
    expect([...fetched].map(([name, { value }]) => `${name} ${value}`)).toEqual([
      'drbd0connected 0', 'drbd0disk 0', 'drbd0peerdisk U', 'drbd0primary U', 'drbd0synced U', 'drbd0eta U', 'drbd0oos U',
    ]);
  });
});

describe('autoconf', () => {
  const dir = tempDir();
  it('no DRBD (no /proc/drbd): no, with the reason', () => {
    expect(muninRun(dir, 'drbd_state', 'autoconf', { drbd_proc: `${dir}/no-such-proc-drbd` })).toEqual({
      stdout: `no (${dir}/no-such-proc-drbd not found: drbd module not loaded)\n`,
      stderr: '',
      status: 0,
    });
  });

  it('the module loaded, no device configured: no, with the reason', () => {
    expect(muninRun(dir, 'drbd_state', 'autoconf', { drbd_proc: file(`${dir}/proc-drbd-empty`, HEADER) })).toEqual({
      stdout: 'no (no DRBD device is configured)\n',
      stderr: '',
      status: 0,
    });
  });

  it('devices: yes', () => {
    expect(muninRun(dir, 'drbd_state', 'autoconf', { drbd_proc: file(`${dir}/proc-drbd`, HEADER + DEV0) })).toEqual({ stdout: 'yes\n', stderr: '', status: 0 });
  });
});

describe('a master without multigraph (MUNIN_CAP_MULTIGRAPH unset)', () => {
  const dir = tempDir();
  const runPlain = (mode: string[]) => {
    mkdirSync(`${dir}/state`, { recursive: true });
    const result = spawnSync(process.execPath, [`${DIST_PLUGINS}/drbd_state`, ...mode], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, drbd_proc: file(`${dir}/proc-drbd`, FOUR_DEVICES), MUNIN_PLUGSTATE: `${dir}/state` },
    });
    return { stdout: result.stdout, stderr: result.stderr, status: result.status };
  };

  it('config: only the health graph, no multigraph line', () => {
    const run = runPlain(['config']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/^multigraph/m);
    expect(lines(run.stdout).filter((l) => l.startsWith('graph_title '))).toEqual(['graph_title DRBD replication health']);
    expect(fieldNames(run.stdout)).toEqual([
      'drbd0connected', 'drbd0disk', 'drbd0peerdisk', 'drbd1connected', 'drbd1disk', 'drbd1peerdisk',
      'drbd2connected', 'drbd2disk', 'drbd2peerdisk', 'drbd3connected', 'drbd3disk', 'drbd3peerdisk',
    ]);
  });

  it('fetch: only the health values', () => {
    expect(runPlain([])).toEqual({
      stdout: values([
        ['drbd0connected', '1'], ['drbd0disk', '1'], ['drbd0peerdisk', '1'],
        ['drbd1connected', '0'], ['drbd1disk', '1'], ['drbd1peerdisk', '0.5'],
        ['drbd2connected', '1'], ['drbd2disk', '0.5'], ['drbd2peerdisk', '1'],
        ['drbd3connected', '1'], ['drbd3disk', '0'], ['drbd3peerdisk', '1'],
      ]),
      stderr: '',
      status: 0,
    });
  });
});

describe('DRBD 0.7 (ld: gives the local disk only)', () => {
  const dir = tempDir();
  // 0.7's /proc/drbd (drbd_proc.c of 0.7): no UpToDate state yet, a healthy disk is Consistent.
  const V07 = 'version: 0.7.25 (api:79/proto:74)\nSVN Revision: 2986 build by root@x, 2008-01-01 00:00:00\n' +
    ' 0: cs:Connected st:Primary/Secondary ld:Consistent\n    ns:12 nr:0 dw:12 dr:40 al:0 bm:0 lo:0 pe:0 ua:0 ap:0\n' +
    ' 1: cs:Connected st:Secondary/Secondary ld:Inconsistent\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:17408 lo:0 pe:0 ua:0 ap:0\n';

  it('a Consistent local disk is up to date (1), Inconsistent degraded; no peer disk field, since 0.7 never says it', () => {
    const env = { drbd_proc: file(`${dir}/proc-drbd-07`, V07), MUNIN_PLUGSTATE: writableDir(`${dir}/state`) };
    const fetch = muninRun(dir, 'drbd_state', undefined, env);
    expect(fetch.stderr).toBe('');
    expect(lines(fetch.stdout).filter((l) => l.startsWith('multigraph drbd_state') || /^drbd\d(connected|disk|peerdisk)\./.test(l))).toEqual([
      'multigraph drbd_state',
      'drbd0connected.value 1',
      'drbd0disk.value 1',
      'drbd1connected.value 1',
      'drbd1disk.value 0.5',
      'multigraph drbd_state.role',
      'multigraph drbd_state.resync',
      'multigraph drbd_state.resync_time',
      'multigraph drbd_state.out_of_sync',
    ]);
    expect(fieldNames(muninRun(dir, 'drbd_state', 'config', env).stdout)).not.toContain('drbd0peerdisk');
  });
});

describe('the config kept in MUNIN_PLUGSTATE (lio-munin-drbd_state.config) and printed again while its inputs are the same', () => {
  const dir = tempDir();
  /** A state directory of its own; fresh: the config made from FOUR_DEVICES, which is kept now. */
  const setUp = (name: string) => {
    const state = writableDir(`${dir}/state-${name}`);
    const memoPath = `${state}/lio-munin-drbd_state.config`;
    const env = (text: string, extra: Record<string, string> = {}) => ({ drbd_proc: file(`${dir}/proc-drbd-${name}`, text), MUNIN_PLUGSTATE: state, ...extra });
    const config = (text: string, extra: Record<string, string> = {}, processEnv: Record<string, string> = {}) => {
      const run = muninRun(dir, 'drbd_state', 'config', env(text, extra), processEnv);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return run.stdout;
    };
    /** Marks the kept config, so that a config printed from it can be told from one made anew. */
    const markMemo = () => writeFileSync(memoPath, readFileSync(memoPath, 'utf8').replace('graph_title DRBD replication health', 'graph_title KEPT replication health'));
    // Twice: the first run writes the devices kept, which are an input of the second.
    config(FOUR_DEVICES);
    const fresh = config(FOUR_DEVICES);
    return { state, memoPath, env, config, markMemo, fresh, kept: fresh.replace('graph_title DRBD replication health', 'graph_title KEPT replication health') };
  };

  it('a config keeps itself with its inputs; the next one with the same inputs prints it as kept', () => {
    const { memoPath, config, markMemo, fresh, kept } = setUp('same');
    const memo = readFileSync(memoPath, 'utf8');
    // The lengths of the key and the config, the key (the plugin's file and build, the environment, the inputs), the config.
    const [keyLength, configLength] = memo.slice(0, memo.indexOf('\n')).split(' ').map(Number);
    expect(configLength).toBe(fresh.length);
    expect(memo.slice(memo.indexOf('\n') + 1 + keyLength!)).toBe(fresh);
    expect(memo).toContain(`["drbd_proc","${dir}/proc-drbd-same"]`);
    expect(memo).toContain(' 1: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----\n    ns:# nr:# dw:# dr:# al:# bm:# lo:# pe:# ua:# ap:# ep:# wo:f oos:#\n');
    markMemo();
    expect(config(FOUR_DEVICES)).toBe(kept);
    // Counters that moved are not an input.
    const moved = FOUR_DEVICES.replace(/(ns|nr|dw|dr|oos):\d+/g, '$1:777');
    expect(moved).not.toBe(FOUR_DEVICES);
    expect(config(moved)).toBe(kept);
  });

  it('a state word, a resync that moved on, a setting, the devices kept, the plugin rebuilt: each makes it anew, and keeps that', () => {
    const { state, memoPath, config, markMemo } = setUp('changes');
    const changes: Array<[string, () => string]> = [
      ['StandAlone -> WFConnection', () => config(FOUR_DEVICES.replace('cs:StandAlone', 'cs:WFConnection'))],
      ["sync'ed 42.4% -> 43.1%", () => config(FOUR_DEVICES.replace("sync'ed: 42.4%", "sync'ed: 43.1%"))],
      ['env.connected_critical', () => config(FOUR_DEVICES, { connected_critical: '0.5:' })],
      ['the plugin file', () => {
        const later = new Date(Date.now() + 60_000);
        utimesSync(`${dir}/built-plugins/drbd_state`, later, later);
        return config(FOUR_DEVICES);
      }],
      ['lio-munin-drbd-state.json', () => {
        const known = `${state}/lio-munin-drbd-state.json`;
        writeFileSync(known, readFileSync(known, 'utf8').replace('{"minor":3,', '{"minor":4,"resource":null,"peers":[null],"drbd9":false},{"minor":3,'));
        return config(FOUR_DEVICES);
      }],
    ];
    for (const [what, run] of changes) {
      config(FOUR_DEVICES);
      config(FOUR_DEVICES);
      markMemo();
      const out = run();
      expect(out, what).not.toContain('graph_title KEPT replication health');
      expect(out, what).toContain('graph_title DRBD replication health');
      // What was made anew is what is kept now.
      expect(readFileSync(memoPath, 'utf8').endsWith(out), what).toBe(true);
    }
    expect(config(FOUR_DEVICES)).toContain('drbd4connected.extinfo drbd4 is not configured now');
  });

  it('dirtyconfig: made anew with the values, the kept config not used', () => {
    const { config, markMemo } = setUp('dirty');
    markMemo();
    const dirty = config(FOUR_DEVICES, {}, { MUNIN_CAP_DIRTYCONFIG: '1' });
    expect(dirty).not.toContain('graph_title KEPT replication health');
    expect(dirty).toContain('drbd2oos.value 301729988\n');
  });

  it('a config that said something on stderr is not kept: it says it again each time', () => {
    const { memoPath, env } = setUp('warned');
    rmSync(memoPath);
    const unknown = FOUR_DEVICES.replace('cs:StandAlone', 'cs:Quantum');
    const warning = 'drbd_state: drbd1: unknown connection state "Quantum" (a newer DRBD?): the values that depend on it are U\n';
    for (let i = 0; i < 2; i++) {
      expect(muninRun(dir, 'drbd_state', 'config', env(unknown)).stderr).toBe(warning);
      expect(existsSync(memoPath)).toBe(false);
    }
  });

  it('a damaged memo (cut short, a wrong length, empty, a FIFO) is made anew, without a word', () => {
    const { memoPath, config, fresh } = setUp('damaged');
    const damages: Array<[string, () => void]> = [
      ['cut short', () => writeFileSync(memoPath, readFileSync(memoPath, 'utf8').slice(0, -500))],
      ['a wrong key length', () => writeFileSync(memoPath, readFileSync(memoPath, 'utf8').replace(/^\d+/, (n) => String(Number(n) - 1)))],
      ['one byte more', () => writeFileSync(memoPath, readFileSync(memoPath, 'utf8') + 'x')],
      ['empty', () => writeFileSync(memoPath, '')],
      ['a FIFO', () => {
        rmSync(memoPath);
        expect(spawnSync('mkfifo', ['-m', '666', memoPath]).status).toBe(0);
      }],
    ];
    for (const [what, damage] of damages) {
      damage();
      expect(config(FOUR_DEVICES), what).toBe(fresh);
      expect(readFileSync(memoPath, 'utf8').endsWith(fresh), what).toBe(true);
    }
  });

  it('DRBD 9 (events2, counters among the states): nothing is kept', () => {
    const state9 = writableDir(`${dir}/state9`);
    const run = muninRun(dir, 'drbd_state', 'config', {
      drbd_proc: copyFixture(DRBD9_PROC, `${dir}/proc-drbd9`),
      drbd_events2: file(`${dir}/events2`, THREE_PEERS_EVENTS2),
      MUNIN_PLUGSTATE: state9,
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('multigraph drbd_state\n');
    expect(readdirSync(state9)).toEqual(['lio-munin-drbd-state.json']);
  });
});
