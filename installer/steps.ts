// `lio-munin install` and `lio-munin uninstall`: what goes where, in which order.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { UserError } from '../lib/errors.js';
import { DEFAULT_CRM_MON } from '../lib/cluster/crm-mon.js';
import { DEFAULT_DRBD_PROC, isDrbd9Node } from '../lib/kernel/drbd.js';
import { Staging } from './files.js';
import { checkInsideDestdir, emptyManifest, loadManifest, MANIFEST, STATE_DIR } from './manifest.js';
import {
  CONF_NAME,
  PLUGINS,
  pluginAccount,
  pluginConfText,
  pluginEnvironment,
  readConfDir,
  runAutoconf,
  serviceSettings,
  type Account,
  type ConfFile,
} from './munin.js';

export const DEFAULTS = {
  prefix: '/usr/local',
  pluginDir: '/usr/share/munin/plugins',
  muninConfDir: '/etc/munin',
} as const;
export const SYSTEMD_UNIT = '/etc/systemd/system/lio-collector.service';
export const CRON_FILE = '/etc/cron.d/lio-collector';
/** The Prometheus textfile line, for hosts that run the collector from cron rather than as the daemon. */
export const METRICS_CRON_FILE = '/etc/cron.d/lio-collector-metrics';
/** The collector's path as written in the unit and cron sources; replaced when --prefix differs. */
const DEFAULT_COLLECTOR = `${DEFAULTS.prefix}/bin/lio-collector`;
/** The original scripts' schedule (seed, part 13). */
const ORIGINAL_CRON = '/etc/cron.d/lio';

export interface InstallOptions {
  /** Staging root, '' for none. */
  destdir: string;
  prefix: string;
  pluginDir: string;
  muninConfDir: string;
  /** Interpreter written into every #! line. */
  node: string;
  /** The built checkout holding dist/, systemd/ and cron/. */
  from: string;
  all: boolean;
  dryRun: boolean;
  targetRoot?: string;
  drbdProc?: string;
  crmMon?: string;
}

export interface Outcome {
  changes: number;
  /** Problems found (a plugin that cannot run as munin-node runs it): exit non-zero. */
  problems: string[];
}

interface Sources {
  plugins: Map<string, Buffer>;
  collector: Buffer;
  unit: Buffer;
  cron: Buffer;
  metricsCron: Buffer;
}

/** Reads every source file first: a missing one stops the install before anything changes. */
function readSources(from: string): Sources {
  const wanted = {
    plugins: PLUGINS.map((name) => `dist/plugins/${name}`),
    collector: 'dist/collector/lio-collector',
    unit: 'systemd/lio-collector.service',
    cron: 'cron/lio-collector',
    metricsCron: 'cron/lio-collector-metrics',
  };
  const all = [...wanted.plugins, wanted.collector, wanted.unit, wanted.cron, wanted.metricsCron];
  const missing = all.filter((rel) => !statSync(join(from, rel), { throwIfNoEntry: false })?.isFile());
  if (missing.length > 0) {
    const build = missing.some((rel) => rel.startsWith('dist/')) ? ' (dist/ files come from `npm run build`)' : '';
    throw new UserError(`cannot install from ${from}: missing ${missing.join(', ')}${build}`);
  }
  const read = (rel: string) => readFileSync(join(from, rel));
  for (const rel of wanted.plugins) {
    const text = read(rel).toString('utf8');
    if (!text.startsWith('#!')) throw new UserError(`${join(from, rel)} is not a built plugin: it has no #! line`);
    // Spelt in two parts: the packaged executable holds this code, and munin-node-configure would
    // read the markers of a plugin from it.
    for (const marker of ['family=auto', 'capabilities=autoconf'].map((m) => ['#%#', m].join(' '))) {
      if (!text.includes(marker)) throw new UserError(`${join(from, rel)} lacks the magic marker "${marker}" that munin-node-configure reads: rebuild it`);
    }
  }
  return {
    plugins: new Map(PLUGINS.map((name, i) => [name, read(wanted.plugins[i]!)])),
    collector: read(wanted.collector),
    unit: read(wanted.unit),
    cron: read(wanted.cron),
    metricsCron: read(wanted.metricsCron),
  };
}

/**
 * The program with its first line replaced by `#!<node>`, keeping the one Node option the built
 * line gives (`#!/usr/bin/env -S node --max-opt=1`: the plugins but pacemaker): the kernel passes what follows
 * the interpreter as a single argument, so one option is all such a line can hold.
 */
export function withShebang(program: Buffer, node: string): Buffer {
  const text = program.toString('utf8');
  const newline = text.indexOf('\n');
  const first = newline >= 0 ? text.slice(0, newline) : text;
  const option = /^#!\/usr\/bin\/env -S node (--\S+)$/.exec(first)?.[1];
  return Buffer.from(`#!${node}${option ? ` ${option}` : ''}\n${newline >= 0 ? text.slice(newline + 1) : ''}`);
}

/** Checks the interpreter: munin-node runs plugins with a fixed PATH, so it must be absolute. */
export function checkNode(node: string): string[] {
  if (!isAbsolute(node)) throw new UserError(`--node ${node}: not an absolute path`);
  if (/\s/.test(node)) throw new UserError(`--node ${node}: a #! line cannot hold a path with white space`);
  const st = statSync(node, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new UserError(`--node ${node}: no such file`);
  try {
    accessSync(node, constants.X_OK);
  } catch {
    throw new UserError(`--node ${node}: not executable`);
  }
  // Debian's munin-node.service sets ProtectHome=true: /home, /root and /run/user are empty for it.
  if (/^\/(home|root|run\/user)(\/|$)/.test(node)) {
    return [`${node} is under /home, /root or /run/user, which munin-node's systemd unit hides (ProtectHome=true): install node elsewhere (e.g. /usr/local/bin) and pass --node`];
  }
  return [];
}

function adaptToPrefix(source: Buffer, name: string, collector: string): Buffer {
  if (collector === DEFAULT_COLLECTOR) return source;
  const text = source.toString('utf8');
  if (!text.includes(DEFAULT_COLLECTOR)) throw new UserError(`cannot adapt ${name} to --prefix: it does not name ${DEFAULT_COLLECTOR}`);
  return Buffer.from(text.split(DEFAULT_COLLECTOR).join(collector));
}

export function install(o: InstallOptions, print: (line: string) => void): Outcome {
  if (o.destdir && !existsSync(o.destdir)) throw new UserError(`--destdir ${o.destdir}: no such directory`);
  for (const [option, value] of [['--prefix', o.prefix], ['--plugin-dir', o.pluginDir], ['--munin-conf-dir', o.muninConfDir], ['--target-root', o.targetRoot], ['--drbd-proc', o.drbdProc], ['--crm-mon', o.crmMon]] as const) {
    if (value !== undefined && !isAbsolute(value)) throw new UserError(`${option} ${value}: not an absolute path`);
    if (value !== undefined && /\n/.test(value)) throw new UserError(`${option}: a path with a newline cannot be written to plugin-conf.d`);
  }
  const problems: string[] = [];
  const warnings = checkNode(o.node);
  const sources = readSources(o.from);
  const staging = new Staging(o.destdir, o.dryRun, loadManifest(join(o.destdir || '/', MANIFEST)), print);
  for (const warning of warnings) print(`warning   ${warning}`);

  staging.ensureDir(STATE_DIR);

  // 1. The plugins, with a #! line munin-node can run under its fixed PATH.
  for (const name of PLUGINS) staging.installFile(`${o.pluginDir}/${name}`, withShebang(sources.plugins.get(name)!, o.node), 0o755);

  // 2. plugin-conf.d: settings with their defaults; `user root` for the drbd plugins on DRBD 9,
  // `group haclient` for pacemaker where crm_mon is.
  const confDir = `${o.muninConfDir}/plugin-conf.d`;
  // Pacemaker is there when its crm_mon is (the cluster need not run).
  const pacemaker = existsSync(o.crmMon ?? DEFAULT_CRM_MON);
  const confText = pluginConfText({ targetRoot: o.targetRoot, drbdProc: o.drbdProc, drbd9: isDrbd9Node(o.drbdProc ?? DEFAULT_DRBD_PROC), crmMon: o.crmMon, pacemaker });
  const confStatus = staging.installFile(`${confDir}/${CONF_NAME}`, Buffer.from(confText), 0o644);

  // 3. Enable each plugin as munin-node-configure would: ask autoconf, in munin-node's conditions.
  let confFiles: ConfFile[] = readConfDir(staging.disk(confDir));
  if (o.dryRun && confStatus !== 'keep') confFiles = [...confFiles.filter((f) => f.name !== CONF_NAME), { name: CONF_NAME, text: confText }].sort((a, b) => (a.name < b.name ? -1 : 1));
  const root = process.getuid?.() === 0;
  for (const name of PLUGINS) {
    const plugin = `${o.pluginDir}/${name}`;
    const link = `${o.muninConfDir}/plugins/${name}`;
    const settings = serviceSettings(confFiles, name);
    let account: Account | null = null;
    // A dry run has installed nothing: it asks the built plugin, as the current user.
    if (root && !o.dryRun) {
      account = pluginAccount(settings.user ?? 'nobody', settings.group);
    }
    const command = o.dryRun ? [o.node, join(o.from, 'dist/plugins', name)] : [staging.disk(plugin)];
    const answer = runAutoconf(command, pluginEnvironment(name, account?.name ?? settings.user ?? 'nobody', settings.env), account);
    if (!answer.ok) {
      problems.push(answer.problem);
      staging.log('skip', `${staging.disk(link)} (autoconf failed: ${answer.problem})`);
      continue;
    }
    if (answer.yes || o.all || staging.linked(link, plugin)) {
      staging.installLink(link, plugin, answer.yes ? 'autoconf: yes' : `--all; autoconf: ${answer.line}`);
    } else {
      staging.log('skip', `${staging.disk(link)} (autoconf: ${answer.line}; --all enables it anyway)`);
    }
  }

  // 4. The collector and its two schedulers, of which the administrator enables one; and the
  // Prometheus textfile line for hosts that use cron (the daemon has its own --textfile). All disabled.
  const collector = `${o.prefix}/bin/lio-collector`;
  staging.installFile(collector, withShebang(sources.collector, o.node), 0o755);
  staging.installFile(SYSTEMD_UNIT, adaptToPrefix(sources.unit, 'systemd/lio-collector.service', collector), 0o644);
  staging.installFile(CRON_FILE, adaptToPrefix(sources.cron, 'cron/lio-collector', collector), 0o644);
  staging.installFile(METRICS_CRON_FILE, adaptToPrefix(sources.metricsCron, 'cron/lio-collector-metrics', collector), 0o644);

  print(
    staging.changes === 0
      ? 'nothing to do: lio-munin is installed and up to date'
      : `${staging.changes} change${staging.changes === 1 ? '' : 's'}${o.dryRun ? ' would be made (dry run: nothing was changed)' : ''}`,
  );
  print('next:     restart munin-node so that it loads the plugins and their settings: systemctl restart munin-node');
  print('next:     check a plugin as munin-node runs it: munin-run lio_read; munin-run drbd');
  print(`next:     collect statistics with ONE of: systemctl daemon-reload && systemctl enable --now lio-collector.service | the schedule in ${CRON_FILE} (see its comments)`);
  print(`next:     for Prometheus (node_exporter's textfile collector): lio-collector run --textfile DIR, or the line in ${METRICS_CRON_FILE}`);
  if (existsSync(staging.disk(ORIGINAL_CRON))) {
    print(`note:     ${staging.disk(ORIGINAL_CRON)} (the original /etc/lio/statistics and /etc/lio/save schedule) is still there: remove it once lio-collector runs`);
  }
  return { changes: staging.changes, problems };
}

export interface UninstallOptions {
  destdir: string;
  dryRun: boolean;
}

export function uninstall(o: UninstallOptions, print: (line: string) => void): Outcome {
  if (o.destdir && !existsSync(o.destdir)) throw new UserError(`--destdir ${o.destdir}: no such directory`);
  const manifestPath = join(o.destdir || '/', MANIFEST);
  const manifest = existsSync(manifestPath) ? loadManifest(manifestPath) : emptyManifest();
  if (!existsSync(manifestPath)) {
    print(`nothing to uninstall: no manifest at ${manifestPath}`);
    return { changes: 0, problems: [] };
  }
  if (o.destdir) checkInsideDestdir(manifest, o.destdir, manifestPath);
  const wants = join(o.destdir || '/', '/etc/systemd/system/multi-user.target.wants/lio-collector.service');
  if (existsSync(wants)) {
    print('note:     lio-collector.service is enabled: run `systemctl disable --now lio-collector.service` too');
  }
  const staging = new Staging(o.destdir, o.dryRun, manifest, print);
  staging.uninstall();
  print(`${staging.changes} change${staging.changes === 1 ? '' : 's'}${o.dryRun ? ' would be made (dry run: nothing was changed)' : ''}`);
  if (staging.changes > 0) print('next:     restart munin-node so that it drops the plugins: systemctl restart munin-node');
  return { changes: staging.changes, problems: [] };
}
