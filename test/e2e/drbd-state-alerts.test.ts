// End to end with the real Munin: DRBD states -> drbd_state under munin-node -> munin-update ->
// munin-limits -> the alert text a contact's command receives, then munin-graph's drawings.
//
// Two storage hosts, each with its own munin-node serving only drbd_state: one on DRBD 8
// (/proc/drbd), one on DRBD 9 (a /proc/drbd with version lines only, and the output of
// `drbdsetup events2 --now --statistics` in a file). munin-update and munin-limits run as
// munin-cron runs them (update, then limits, same munin.conf and dbdir), under a frozen clock
// that advances 300 s per run, with the DRBD state rewritten between runs. The contact's command
// appends what munin-limits sends to a file, which is compared with the exact text.
//
// Needs root and Debian's munin, munin-node, rrdtool and faketime (as test/e2e/munin.test.ts).
// The host's Munin is never touched: munin-node runs in a private mount namespace.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { alertMessage, canonicalAlerts, muninCommand, muninCycle, muninMaster, type MuninNode, requireE2eSetup, rrdFetch, runMunin, setUpMaster, startTestNode } from '../support/e2e-munin.js';
import { builtCheckout, lioMunin, REPO, snapshot, type Snapshot } from '../installer/setup.js';

const GROUP = 'e2e';
const HOST8 = 'storage-drbd8';
const HOST9 = 'storage-drbd9';
/** 2026-01-01 00:00:00 UTC, on a 300 s step boundary: the first munin-update. */
const T0 = 1_767_225_600;
const STEP = 300;
const ARTIFACTS = join(REPO, 'test-artifacts');
/** Host directories the test must leave as they were. */
const GUARDED = ['/etc/munin', '/usr/share/munin/plugins'];

const work = tempDir('lio-munin-drbd-alerts-');
const master = muninMaster(join(work, 'master'));
const { dbdir, htmldir } = master;
const proc8 = join(work, 'drbd8', 'proc-drbd');
const proc9 = join(work, 'drbd9', 'proc-drbd');
const events9 = join(work, 'drbd9', 'events2.txt');

const nodes: MuninNode[] = [];
/** munin-node's ports: DRBD 8 host, DRBD 9 host. */
const ports: number[] = [];
let hostBefore: Record<string, Snapshot> = {};

// ---- DRBD 8: /proc/drbd of one device (minor 0) as DRBD 8.4.11 prints it.
const VERSION_84 = [
  'version: 8.4.11 (api:1/proto:86-101)',
  'GIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by root@storage1, 2020-06-01 10:00:00',
];
const drbd8 = (...device: string[]) => [...VERSION_84, ...device, ''].join('\n');
const HEALTHY_8 = drbd8(
  ' 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----',
  '    ns:1048576 nr:0 dw:1048576 dr:2097152 al:120 bm:64 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0',
);
/** The peer is gone (or a split brain): the empty protocol column is the kernel's. */
const STANDALONE_8 = drbd8(
  ' 0: cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown   r-----',
  '    ns:1048576 nr:0 dw:1310720 dr:2359296 al:184 bm:80 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:262144',
);
/**
 * Resyncing from the peer (this node's data was discarded and the peer took over): the
 * progress lines of checkmk-1.txt, in 8.4's layout (a tab, `\n\t` before finish:, want: on
 * a SyncTarget).
 */
const resync8 = (percent: string, left: string, finish: string, oos: number) =>
  drbd8(
    ' 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----',
    `    ns:0 nr:216911872 dw:216911872 dr:0 al:0 bm:13240 lo:1 pe:3 ua:1 ap:0 ep:1 wo:f oos:${oos}`,
    `\t[=======>............] sync'ed: ${percent}% (${left}/510908)M`,
    `\tfinish: ${finish} speed: 60,172 (51,448) want: 61,440 K/sec`,
  );
const RESYNC_42 = resync8('42.4', '294656', '1:23:28', 301_729_988);
const RESYNC_87 = resync8('87.9', '61820', '0:17:32', 63_303_680);

// ---- DRBD 9: fixtures/drbd9/linbit-ug9-events2-statistics-now.joined.txt (one resource r0,
// minors 7 and 8, one peer) with the `client:no quorum:yes` that DRBD 9.0.8+ prints.
const VERSION_9 = [
  'version: 9.0.14-1 (api:2/proto:86-113)',
  'GIT-hash: 62f906cf44ef02a30ce0c148fec223b40c51c533 build by mockbuild@, 2018-05-04 03:32:42',
  'Transports (api:16): tcp (9.0.14-1)',
  '',
].join('\n');
const events2 = (connection: string, quorum: 'yes' | 'no', replication: string, peerDisk: string) =>
  [
    'exists resource name:r0 role:Secondary suspended:no write-ordering:drain',
    `exists connection name:r0 peer-node-id:1 conn-name:remote-host ${connection} congested:no`,
    `exists device name:r0 volume:0 minor:7 disk:UpToDate client:no quorum:${quorum} size:6291228 read:6397188 written:131844 al-writes:34 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:no blocked:no`,
    `exists device name:r0 volume:1 minor:8 disk:UpToDate client:no quorum:${quorum} size:104854364 read:5910680 written:6634548 al-writes:417 bm-writes:0 upper-pending:0 lower-pending:0 al-suspended:no blocked:no`,
    `exists peer-device name:r0 peer-node-id:1 conn-name:remote-host volume:0 replication:${replication} peer-disk:${peerDisk} resync-suspended:no received:0 sent:131844 out-of-sync:0 pending:0 unacked:0`,
    `exists peer-device name:r0 peer-node-id:1 conn-name:remote-host volume:1 replication:${replication} peer-disk:${peerDisk} resync-suspended:no received:0 sent:6634548 out-of-sync:0 pending:0 unacked:0`,
    'exists -',
    '',
  ].join('\n');
const HEALTHY_9 = events2('connection:Connected role:Secondary', 'yes', 'Established', 'UpToDate');
/** A two-node Secondary cut off from its peer: no majority, so no quorum (on-no-quorum io-error). */
const NO_QUORUM_9 = events2('connection:Connecting role:Unknown', 'no', 'Off', 'DUnknown');

/** One munin-cron cycle at epoch with the given DRBD states: what the contact's command received. */
function cycle(epoch: number, state8: string, events2Text: string): string {
  writeFileSync(proc8, state8);
  writeFileSync(events9, events2Text);
  return muninCycle(master, epoch);
}

const canonical = (text: string) => canonicalAlerts(text, /,(?= drbd\d)/);

const updateLog = join(master.dir, 'log/munin-update.log');
const limitsLog = join(master.dir, 'log/munin-limits.log');
let logFrom = 0;
const errorLines = (log: string) => log.split('\n').filter((l) => /\[(ERROR|FATAL|WARNING)\]/.test(l));

async function startNode(name: string, host: string, etc: string, plugins: string): Promise<number> {
  const { node, port } = await startTestNode(join(work, name), host, etc, plugins);
  nodes.push(node);
  return port;
}

beforeAll(async () => {
  requireE2eSetup(['/usr/share/munin/munin-limits']);
  hostBefore = Object.fromEntries(GUARDED.map((dir) => [dir, snapshot(dir)]));
  mkdirSync(join(work, 'drbd8'));
  mkdirSync(join(work, 'drbd9'));
  writeFileSync(proc8, HEALTHY_8);
  writeFileSync(proc9, VERSION_9);
  writeFileSync(events9, HEALTHY_9);

  // Install with the installer into a staging root, as on the DRBD 8 host: it enables the drbd
  // plugins (autoconf yes), of which munin-node is to serve drbd_state only.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  const install = lioMunin(['install', '--destdir', stage, '--from', builtCheckout(work), '--target-root', join(work, 'no-target'), '--drbd-proc', proc8]);
  expect(install.stderr).toBe('');
  expect(install.status).toBe(0);
  expect(install.lines).toContain(`enable    ${stage}/etc/munin/plugins/drbd_state -> /usr/share/munin/plugins/drbd_state (autoconf: yes)`);
  for (const name of ['drbd', 'drbd_al', 'drbd_ext']) unlinkSync(join(stage, 'etc/munin/plugins', name));
  const plugins = join(stage, 'usr/share/munin/plugins');

  // The DRBD 9 host: the installer's settings, and a file of the administrator's after them
  // that gives drbd_state the events2 output instead of running drbdsetup.
  const etc9 = join(work, 'etc9');
  mkdirSync(join(etc9, 'plugins'), { recursive: true });
  mkdirSync(join(etc9, 'plugin-conf.d'));
  symlinkSync('/usr/share/munin/plugins/drbd_state', join(etc9, 'plugins/drbd_state'));
  copyFileSync(join(stage, 'etc/munin/plugin-conf.d/lio-munin'), join(etc9, 'plugin-conf.d/lio-munin'));
  writeFileSync(join(etc9, 'plugin-conf.d/zz-lio-munin-local'), `[drbd*]\nenv.drbd_proc ${proc9}\nenv.drbd_events2 ${events9}\n`);

  const port8 = await startNode('node8', HOST8, join(stage, 'etc/munin'), plugins);
  const port9 = await startNode('node9', HOST9, etc9, plugins);
  ports.push(port8, port9);

  // The master: every directory temporary and owned by munin; one contact, for both hosts.
  setUpMaster(
    master,
    [
      { group: GROUP, host: HOST8, port: port8 },
      { group: GROUP, host: HOST9, port: port9 },
    ],
    { contact: true },
  );
});

afterAll(async () => {
  for (const node of nodes) await node.stop();
});

const message = (host: string, graph: string, ...lines: string[]) => alertMessage(GROUP, host, graph, ...lines);
const HEALTH = 'DRBD replication health';
const RESYNC = 'DRBD replication health :: DRBD resync progress';

// What the kernel said, as each field's extinfo repeats it.
const SAID_STANDALONE = 'cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown';
const SAID_RESYNC = "cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate sync'ed:42.4% finish:1:23:28";
const SAID_HEALTHY = 'cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate';
const device9 = (quorum: string) => `role:Secondary suspended:no disk:UpToDate client:no quorum:${quorum}`;
const peer9 = (quorum: string, peer: string) => `${device9(quorum)}; peer remote-host: ${peer}`;
const PEER_LOST = 'connection:Connecting role:Unknown replication:Off peer-disk:DUnknown';
const PEER_OK = 'connection:Connected role:Secondary replication:Established peer-disk:UpToDate';

/** The alert states munin-limits keeps in dbdir/limits: `host graph field` -> ok, warning, ... */
function limitStates(): Record<string, string> {
  const states: Record<string, string> = {};
  for (const line of readFileSync(join(dbdir, 'limits'), 'utf8').split('\n')) {
    const m = new RegExp(`^${GROUP};([^;]+);(.+);state (\\S+)$`).exec(line);
    if (m) states[`${m[1]} ${m[2]!.replace(/;/g, ' ')}`] = m[3]!;
  }
  return states;
}

const ALL_OK = {
  [`${HOST8} drbd_state drbd0connected`]: 'ok',
  [`${HOST8} drbd_state drbd0disk`]: 'ok',
  [`${HOST8} drbd_state drbd0peerdisk`]: 'ok',
  [`${HOST8} drbd_state resync drbd0synced`]: 'ok',
  ...Object.fromEntries(
    [7, 8].flatMap((minor) => [
      ...['connected', 'disk', 'peerdisk', 'quorum'].map((kind) => [`${HOST9} drbd_state drbd${minor}${kind}`, 'ok']),
      [`${HOST9} drbd_state role drbd${minor}suspended`, 'ok'],
      [`${HOST9} drbd_state resync drbd${minor}synced`, 'ok'],
    ]),
  ),
};

/** The RRD munin-update keeps for a field of drbd_state (or one of its child graphs). */
const rrd = (host: string, graph: string, field: string) => join(dbdir, GROUP, `${host}-${graph.replace('.', '-')}-${field}-g.rrd`);

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
  expect(png.subarray(12, 16).toString(), file).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('drbd_state alerts through the real munin-limits', () => {
  it('munin-node serves drbd_state, and only it, on both hosts', async () => {
    const [port8, port9] = ports;
    // munin-node lists a multigraph plugin only to a master that said it can read one.
    const multigraph = (port: number, command: string) => muninCommand(port, `cap multigraph\n${command}`);
    expect(await muninCommand(port8!, 'list')).toEqual([]);
    expect(await multigraph(port8!, 'list')).toEqual(['cap multigraph dirtyconfig', 'drbd_state']);
    expect(await multigraph(port9!, 'list')).toEqual(['cap multigraph dirtyconfig', 'drbd_state']);
    const config8 = await multigraph(port8!, 'config drbd_state');
    for (const line of ['drbd0connected.critical 1:', 'drbd0disk.warning 1:', 'drbd0disk.critical 0.5:', 'drbd0peerdisk.critical 0.5:', 'drbd0synced.warning 100:', `drbd0connected.extinfo ${SAID_HEALTHY}`]) {
      expect(config8).toContain(line);
    }
    const fetch9 = await multigraph(port9!, 'fetch drbd_state');
    for (const line of ['drbd7connected.value 1', 'drbd7quorum.value 1', 'drbd8quorum.value 1', 'drbd8suspended.value 0']) expect(fetch9).toContain(line);
  });

  it('1. healthy DRBD 8 and DRBD 9 pairs: munin-limits checks every field and sends nothing', () => {
    expect(cycle(T0, HEALTHY_8, HEALTHY_9)).toBe('');
    // Munin 2.0's first run into an empty dbdir thinks it was just upgraded and tries to tune
    // RRD files it has not created yet: its own quirk (see munin.test.ts); later runs must be clean.
    const firstRun = readFileSync(updateLog, 'utf8');
    expect(errorLines(firstRun).filter((l) => !/\[ERROR\] Tuning (type|min|max) of '[^']+' to '[^']*' failed\.$/.test(l))).toEqual([]);
    logFrom = firstRun.length;

    expect(cycle(T0 + STEP, HEALTHY_8, HEALTHY_9)).toBe('');
    expect(limitStates()).toEqual(ALL_OK);
    expect(rrdFetch(rrd(HOST8, 'drbd_state', 'drbd0connected'), T0, T0 + STEP).get(T0 + STEP)).toBe(1);
    expect(rrdFetch(rrd(HOST9, 'drbd_state', 'drbd7quorum'), T0, T0 + STEP).get(T0 + STEP)).toBe(1);
  });

  it('2. DRBD 8 goes StandAlone: CRITICAL for connected, WARNING for the peer disk', () => {
    const text = cycle(T0 + 2 * STEP, STANDALONE_8, HEALTHY_9);
    expect(canonical(text)).toBe(
      canonical(
        message(
          HOST8,
          HEALTH,
          `CRITICALs: drbd0 connected is 0.00 (outside range [1:]): ${SAID_STANDALONE}.`,
          `WARNINGs: drbd0 peer disk is 0.50 (outside range [1:]): ${SAID_STANDALONE}.`,
          // Without recovered fields munin lists every field that is OK.
          `OKs: drbd0 local disk is 1.00: ${SAID_STANDALONE}.`,
        ),
      ),
    );
  });

  it('3. a resync at 42.4 %: WARNING with the percent, and OK for the link and the peer disk', () => {
    const text = cycle(T0 + 3 * STEP, RESYNC_42, HEALTHY_9);
    expect(canonical(text)).toBe(
      canonical(
        message(HOST8, RESYNC, `WARNINGs: drbd0 resync done is 42.40 (outside range [100:]): ${SAID_RESYNC}.`) +
          message(
            HOST8,
            HEALTH,
            `WARNINGs: drbd0 local disk is 0.50 (outside range [1:]): ${SAID_RESYNC}.`,
            `OKs: drbd0 connected is 1.00: ${SAID_RESYNC}, drbd0 peer disk is 1.00: ${SAID_RESYNC}.`,
          ),
      ),
    );
  });

  it('4. DRBD 9 loses quorum: CRITICAL for quorum (and the link); the resync that goes on sends nothing', () => {
    const text = cycle(T0 + 4 * STEP, RESYNC_87, NO_QUORUM_9);
    const device = device9('no');
    const peer = peer9('no', PEER_LOST);
    expect(canonical(text)).toBe(
      canonical(
        message(
          HOST9,
          HEALTH,
          'CRITICALs:' +
            [7, 8].map((m) => ` drbd${m} (r0) connected (peer remote-host) is 0.00 (outside range [1:]): ${peer}, drbd${m} (r0) quorum is 0.00 (outside range [1:]): ${device}`).join(',') +
            '.',
          'WARNINGs:' + [7, 8].map((m) => ` drbd${m} (r0) peer disk (peer remote-host) is 0.50 (outside range [1:]): ${peer}`).join(',') + '.',
          // I/O suspended is in its own graph (drbd_state.role), with no change to report.
          'OKs:' + [7, 8].map((m) => ` drbd${m} (r0) local disk is 1.00: ${device}`).join(',') + '.',
        ),
      ),
    );
    // The quorum line, as an administrator reads it.
    expect(text).toContain(' drbd7 (r0) quorum is 0.00 (outside range [1:]): role:Secondary suspended:no disk:UpToDate client:no quorum:no');
    expect(limitStates()).toEqual({
      ...ALL_OK,
      [`${HOST8} drbd_state drbd0disk`]: 'warning',
      [`${HOST8} drbd_state resync drbd0synced`]: 'warning',
      ...Object.fromEntries([7, 8].flatMap((m) => [[`${HOST9} drbd_state drbd${m}connected`, 'critical'], [`${HOST9} drbd_state drbd${m}quorum`, 'critical'], [`${HOST9} drbd_state drbd${m}peerdisk`, 'warning']])),
    });
  });

  it('5. both pairs healthy again: the OKs of the fields that recovered', () => {
    const text = cycle(T0 + 5 * STEP, HEALTHY_8, HEALTHY_9);
    const ok9 = [7, 8].flatMap((m) => [
      `drbd${m} (r0) connected (peer remote-host) is 1.00: ${peer9('yes', PEER_OK)}`,
      `drbd${m} (r0) quorum is 1.00: ${device9('yes')}`,
      `drbd${m} (r0) peer disk (peer remote-host) is 1.00: ${peer9('yes', PEER_OK)}`,
    ]);
    expect(canonical(text)).toBe(
      canonical(
        message(HOST8, HEALTH, `OKs: drbd0 local disk is 1.00: ${SAID_HEALTHY}.`) +
          message(HOST8, RESYNC, `OKs: drbd0 resync done is 100.00: ${SAID_HEALTHY}.`) +
          message(HOST9, HEALTH, `OKs: ${ok9.join(', ')}.`),
      ),
    );
    expect(limitStates()).toEqual(ALL_OK);

    // What munin-update stored along the way, one value per run: what the graphs draw.
    const along = (file: string) => [...rrdFetch(file, T0, T0 + 5 * STEP)].filter(([t]) => t > T0 && t <= T0 + 5 * STEP).map(([, v]) => v);
    expect(along(rrd(HOST8, 'drbd_state', 'drbd0connected'))).toEqual([1, 0, 1, 1, 1]);
    expect(along(rrd(HOST8, 'drbd_state', 'drbd0disk'))).toEqual([1, 1, 0.5, 0.5, 1]);
    expect(along(rrd(HOST8, 'drbd_state', 'drbd0peerdisk'))).toEqual([1, 0.5, 1, 1, 1]);
    expect(along(rrd(HOST8, 'drbd_state.resync', 'drbd0synced'))).toEqual([100, 100, 42.4, 87.9, 100]);
    expect(along(rrd(HOST9, 'drbd_state', 'drbd8quorum'))).toEqual([1, 1, 1, 0, 1]);
    expect(errorLines(readFileSync(updateLog, 'utf8').slice(logFrom))).toEqual([]);
    expect(errorLines(readFileSync(limitsLog, 'utf8'))).toEqual([]);
  });

  it('munin-graph draws the drbd_state graphs, for the day and for the 30 minutes of the scenarios', () => {
    const end = T0 + 5 * STEP + 60;
    runMunin(master, end, 'munin-html'); // lists the graphs that munin-graph --cron draws
    runMunin(master, end, 'munin-graph', ['--cron']);
    // Debian's munin-graph draws what dbdir/graphs lists; a `pinpoint=START,END` entry is a
    // custom period, as munin-cgi-graph draws for the zoom page. The day graph shows the 30
    // minutes of the scenarios as a few pixels at its right edge; this shows them whole.
    const from = T0 - 2 * STEP;
    const pinpoint = `pinpoint=${from},${end}`;
    const graphs = [
      { host: HOST8, path: 'drbd_state', artifact: 'drbd-state' },
      { host: HOST8, path: 'drbd_state/resync', artifact: 'drbd-state-resync' },
      { host: HOST9, path: 'drbd_state', artifact: 'drbd-state-drbd9' },
      { host: HOST9, path: 'drbd_state/resync', artifact: 'drbd-state-drbd9-resync' },
      { host: HOST9, path: 'drbd_state/role', artifact: 'drbd-state-drbd9-role' },
    ];
    writeFileSync(join(dbdir, 'graphs'), graphs.map((g) => `/${GROUP}/${g.host}/${g.path}-${pinpoint}.png\n`).join(''));
    runMunin(master, end, 'munin-graph', ['--cron']);

    mkdirSync(ARTIFACTS, { recursive: true });
    for (const graph of graphs) {
      for (const [period, suffix] of [['day', 'day'], [pinpoint, 'scenarios']] as const) {
        const drawn = join(htmldir, GROUP, graph.host, `${graph.path}-${period}.png`);
        expect(existsSync(drawn), drawn).toBe(true);
        const size = pngSize(drawn);
        // Munin's 400 x 175 plot area with its axes, title and one legend line per field.
        expect(size.width, drawn).toBeGreaterThanOrEqual(450);
        expect(size.height, drawn).toBeGreaterThanOrEqual(250);
        expect(statSync(drawn).size, drawn).toBeGreaterThan(10_000);
        copyFileSync(drawn, join(ARTIFACTS, `${graph.artifact}-${suffix}.png`));
      }
    }
    // One legend line (about 12 pixels) per field: DRBD 9's eight health fields make a taller
    // image than DRBD 8's three.
    expect(pngSize(join(ARTIFACTS, 'drbd-state-drbd9-day.png')).height).toBeGreaterThan(pngSize(join(ARTIFACTS, 'drbd-state-day.png')).height + 50);
  });

  it('leaves no trace on the host: munin-node quiet and stopped, /etc/munin unchanged', async () => {
    for (const name of ['node8', 'node9']) {
      const log = readFileSync(join(work, name, 'log/munin-node.log'), 'utf8');
      expect(log.split('\n').filter((l) => /error|warn|timed out|bad exit|exited with status/i.test(l)), name).toEqual([]);
    }
    for (const node of nodes) {
      await node.stop();
      expect(() => process.kill(node.pid, 0)).toThrow();
    }
    for (const dir of GUARDED) expect(snapshot(dir), dir).toEqual(hostBefore[dir]);
  });
});
