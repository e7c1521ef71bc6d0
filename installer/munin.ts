// What the installer needs to know about munin-node: the plugin-conf.d file it writes, how
// munin-node reads plugin-conf.d (Munin::Node::Config 2.0), and how munin-node starts a plugin
// (Munin::Node::Service: user, environment, PATH), so that `autoconf` is asked the same way.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../lib/errors.js';
import { DEFAULT_CRM_MON, DEFAULT_CRM_MON_TIMEOUT_S } from '../lib/cluster/crm-mon.js';
import { DEFAULT_TARGET_ROOT } from '../lib/kernel/configfs.js';
import { DEFAULT_DRBD_PROC } from '../lib/kernel/drbd.js';
import { DEFAULT_DRBDSETUP, DEFAULT_DRBDSETUP_TIMEOUT_S } from '../lib/kernel/drbdsetup.js';
import PLUGIN_LIST from '../plugins/list.json' with { type: 'json' };

/** The plugins, in the order they are installed and enabled. */
export const PLUGINS: readonly string[] = PLUGIN_LIST;

/** The file the installer writes in plugin-conf.d. */
export const CONF_NAME = 'lio-munin';

/** munin-node forces this PATH on every plugin (Munin::Node::Service). */
export const MUNIN_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const PLUGSTATE = '/var/lib/munin-node/plugin-state';
/** Munin 2.0's default plugin timeout. */
const TIMEOUT_S = 60;

export interface ConfSettings {
  /** Set with --target-root / --drbd-proc; otherwise the default is written as a comment. */
  targetRoot?: string;
  drbdProc?: string;
  /**
   * Whether /proc/drbd is DRBD 9's, when `lio-munin install` looked: the drbd plugins then need
   * `user root`. 'package': the packages' conffile, made on no node, leaves it to the administrator.
   */
  drbd9: boolean | 'package';
  /** Set with --crm-mon; otherwise the default is written as a comment. */
  crmMon?: string;
  /**
   * crm_mon was there when lio-munin was installed: the pacemaker plugin needs group haclient.
   * 'package': the packages' conffile, made on no node, leaves it to the administrator.
   */
  pacemaker: boolean | 'package';
}

/** A value as munin-node reads it back: `#` starts a comment unless escaped as `\#`. */
export function confValue(value: string): string {
  return value.replace(/#/g, '\\#');
}

export function pluginConfText(s: ConfSettings): string {
  const env = (name: string, value: string | undefined, fallback: string) =>
    value === undefined ? `#env.${name} ${fallback}` : `env.${name} ${confValue(value)}`;
  return [
    `# lio-munin: settings of the Munin plugins ${PLUGINS.slice(0, -1).join(', ')} and ${PLUGINS.at(-1)}.`,
    '#',
    s.drbd9 === 'package'
      ? '# Installed by the lio-munin package as a configuration file: your changes are kept on upgrade.'
      : '# Written by `lio-munin install`; `lio-munin uninstall` removes it unless it was changed since.',
    '# Rather than editing it, put your settings in a file of your own that sorts after this one,',
    '# e.g. zz-lio-munin-local: munin-node reads plugin-conf.d in alphabetical order and the last',
    '# setting wins. munin-node reads these files only when it starts: restart it after a change.',
    '# Values are taken literally (no quotes); `#` starts a comment (write `\\#` for a literal #).',
    '',
    '[drbd*]',
    '# DRBD 8: the statistics file.',
    env('drbd_proc', s.drbdProc, DEFAULT_DRBD_PROC),
    '# DRBD 9 (its /proc/drbd has no statistics): `drbdsetup events2 --now --statistics` is run,',
    '# and given up after drbdsetup_timeout seconds.',
    `#env.drbdsetup ${DEFAULT_DRBDSETUP}`,
    `#env.drbdsetup_timeout ${DEFAULT_DRBDSETUP_TIMEOUT_S}`,
    '# drbdsetup needs root: drbd-utils installs it setuid root for group haclient only, so on',
    '# DRBD 9 the drbd plugins run as root. On DRBD 8 they read /proc/drbd and run as nobody.',
    s.drbd9 === 'package'
      ? '# On a DRBD 9 node, uncomment:'
      : s.drbd9
        ? '# This node runs DRBD 9 (seen when lio-munin was installed):'
        : '# This node did not run DRBD 9 when lio-munin was installed:',
    s.drbd9 === true ? 'user root' : '#user root',
    '',
    '[lio_*]',
    '# The LIO configfs root.',
    env('target_root', s.targetRoot, DEFAULT_TARGET_ROOT),
    '',
    '[pacemaker]',
    '# `crm_mon --output-as=xml` is run, and given up after crm_mon_timeout seconds.',
    env('crm_mon', s.crmMon, DEFAULT_CRM_MON),
    `#env.crm_mon_timeout ${DEFAULT_CRM_MON_TIMEOUT_S}`,
    '# The node where the resources run normally (a resource running elsewhere: warning).',
    '#env.preferred_node node1',
    "# crm_mon asks Pacemaker's daemons over IPC, which only root and group haclient may use:",
    '# the plugin runs as nobody in group haclient.',
    s.pacemaker === 'package'
      ? '# On a Pacemaker node, uncomment:'
      : s.pacemaker
        ? '# Pacemaker was here when lio-munin was installed:'
        : '# Pacemaker (crm_mon) was not here when lio-munin was installed:',
    s.pacemaker === true ? 'group haclient' : '#group haclient',
    '',
  ].join('\n');
}

export interface ConfFile {
  name: string;
  text: string;
}

// munin-node.conf's ignore_file patterns as Debian ships them, and munin-node's own rules: no
// hidden files, only names made of [-\w.:].
const IGNORED = [/[#~]$/, /DEADJOE$/, /\.bak$/, /%$/, /\.dpkg-(tmp|new|old|dist)$/, /\.rpm(save|new)$/, /\.pod$/, /^\./];

/** The files of a plugin-conf.d directory that munin-node reads, in its order. */
export function readConfDir(dir: string): ConfFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names
    .filter((name) => /^[-\w.:]+$/.test(name) && !IGNORED.some((re) => re.test(name)))
    .filter((name) => statSync(join(dir, name), { throwIfNoEntry: false })?.isFile())
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

interface Section {
  user?: string;
  /** munin-node's `group` list (`a, (b)`: b optional); the first that exists is the plugin's group. */
  group?: string;
  env: Record<string, string>;
}

/** Parses sections the way Munin::Node::Config does (later files and lines win per key). */
function parseSections(files: ConfFile[]): Map<string, Section> {
  const sections = new Map<string, Section>();
  for (const file of files) {
    let current: Section | undefined;
    for (const raw of file.text.split('\n')) {
      const line = raw.replace(/(?<!\\)#.*/, '').replace(/\\#/g, '#').trim();
      if (!line) continue;
      const header = /^\[([^\]]+)\]$/.exec(line);
      if (header) {
        const name = header[1]!;
        if (!sections.has(name)) sections.set(name, { env: {} });
        current = sections.get(name)!;
        continue;
      }
      if (!current) break; // munin-node skips the rest of a file with clutter before a section
      const setting = /^([\w.]+)\s+(.+)$/.exec(line);
      if (!setting) continue;
      const [, key, value] = setting;
      if (key === 'user') current.user = value!;
      else if (key === 'group') current.group = value!;
      else if (key!.startsWith('env.')) current.env[key!.slice(4)] = value!;
    }
  }
  return sections;
}

/** The user and env.* settings munin-node gives a service: exact section, then wildcards. */
export function serviceSettings(files: ConfFile[], service: string): Section {
  const sections = parseSections(files);
  const result: Section = { env: { ...sections.get(service)?.env } };
  result.user = sections.get(service)?.user;
  result.group = sections.get(service)?.group;
  // Munin applies wildcards in reverse sorted order, each filling only what is still unset.
  const wildcards = [...sections.keys()].filter((k) => k.endsWith('*') || k.startsWith('*')).sort().reverse();
  for (const wildcard of wildcards) {
    let pattern: RegExp;
    try {
      pattern = wildcard.endsWith('*') ? new RegExp('^' + wildcard.slice(0, -1)) : new RegExp(wildcard.slice(1) + '$');
    } catch {
      continue;
    }
    if (!pattern.test(service)) continue;
    const section = sections.get(wildcard)!;
    for (const [key, value] of Object.entries(section.env)) if (!(key in result.env)) result.env[key] = value;
    if (result.user === undefined && section.user !== undefined) result.user = section.user;
    if (result.group === undefined && section.group !== undefined) result.group = section.group;
  }
  return result;
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

function getent(database: 'passwd' | 'group', key: string): string[] | null {
  const run = spawnSync('getent', [database, key], { encoding: 'utf8' });
  if (run.status !== 0) return null;
  return run.stdout.trim().split(':');
}

/**
 * The account munin-node runs a plugin as: its user (default nobody), and the first group of its
 * `group` setting (Munin::Node::Service: a missing group is an error unless in parentheses), else
 * group munin.
 */
export function pluginAccount(user = 'nobody', groups?: string): Account {
  const passwd = getent('passwd', user);
  if (!passwd) throw new UserError(`user ${user} does not exist (munin-node runs plugins as ${user})`);
  for (const item of groups?.split(',').map((g) => g.trim()).filter(Boolean) ?? []) {
    const optional = /^\((.+)\)$/.exec(item);
    const group = getent('group', optional ? optional[1]! : item);
    if (group) return { name: passwd[0]!, uid: Number(passwd[2]), gid: Number(group[2]) };
    if (!optional) throw new UserError(`group ${item} does not exist (munin-node runs the plugin in it)`);
  }
  const munin = getent('group', 'munin');
  return { name: passwd[0]!, uid: Number(passwd[2]), gid: munin ? Number(munin[2]) : Number(passwd[3]) };
}

/** The environment munin-node gives a plugin (Munin::Node::Service), plus its env.* settings. */
export function pluginEnvironment(service: string, user: string, settings: Record<string, string>): Record<string, string> {
  const plugstate = `${PLUGSTATE}/${user}`;
  return {
    PATH: MUNIN_PATH,
    LC_ALL: 'C',
    LANG: 'C',
    PYTHONIOENCODING: 'utf8:replace',
    MUNIN_CAP_MULTIGRAPH: '1',
    MUNIN_MASTER_IP: '',
    MUNIN_DEBUG: '0',
    MUNIN_LIBDIR: '/usr/share/munin',
    MUNIN_PLUGSTATE: plugstate,
    MUNIN_STATEFILE: `${plugstate}/${service}-`,
    FQDN: hostname(),
    ...settings,
  };
}

export type AutoconfAnswer = { ok: true; yes: boolean; line: string } | { ok: false; problem: string };

/**
 * Runs `<command> autoconf` as munin-node would (as account when we are root), and checks the
 * answer against the protocol: exit 0, one line `yes` or `no (reason)`, nothing on stderr.
 */
export function runAutoconf(command: string[], env: Record<string, string>, account: Account | null): AutoconfAnswer {
  const run = spawnSync(command[0]!, [...command.slice(1), 'autoconf'], {
    env,
    cwd: '/',
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
  });
  const as = account ? ` as user ${account.name}` : '';
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    const hint = code === 'EACCES' || code === 'ENOENT' ? ` (can that user reach and run the #! interpreter and the plugin?)` : '';
    return { ok: false, problem: `cannot run ${command.join(' ')}${as}: ${code ?? run.error.message}${hint}` };
  }
  if (run.signal) return { ok: false, problem: `${command.join(' ')} autoconf${as} was killed (${run.signal})` };
  const stderr = run.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
  const line = lines[0] ?? '';
  if (run.status !== 0 || stderr.length > 0 || lines.length !== 1 || !/^(yes|no)(\s|$)/.test(line)) {
    const said = [stderr[0], lines.join(' | ')].filter(Boolean).join('; ').slice(0, 300);
    return { ok: false, problem: `${command.join(' ')} autoconf${as} exited ${run.status}: ${said || 'no output'}` };
  }
  return { ok: true, yes: line === 'yes', line };
}
