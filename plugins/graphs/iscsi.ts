// The lio_sessions and lio_iscsi_errors graphs: who is logged in to each iSCSI target, and the
// logins, logouts and errors the iSCSI target counts (lib/kernel/iscsi.ts), with the ranges
// munin-limits alerts on. An overview graph per plugin, and one drill-down graph per target.
import { existsSync } from 'node:fs';
import { DEFAULT_TARGET_ROOT, isRecalled, type LioTpg } from '../../lib/kernel/configfs.js';
import { readListedLioTree } from './lio-listings.js';
import {
  hasIscsiStatistics,
  isDemoMode,
  readAclSession,
  readConnectionErrors,
  readDynamicSessions,
  readIscsiTargetStatistics,
  readSessionCount,
  type AclSession,
  type IscsiTargetStatistics,
  type LastLoginFailure,
} from '../../lib/kernel/iscsi.js';
import { readSmallFile } from '../../lib/small-file.js';
import { AlertRanges, type RangeDefault } from '../../lib/munin/alert-ranges.js';
import { cleanName, FieldNames } from '../../lib/munin/field-names.js';
import { warn, type Field, type Graph, type Plugin } from '../../lib/munin/protocol.js';
import { shortTarget } from './lio.js';

/** An iSCSI target and its TPGs. */
interface IscsiTarget {
  target: string;
  path: string;
  tpgs: LioTpg[];
  /** The name of its drill-down graph's part after the plugin's (`lio_sessions.<child>`). */
  child: string;
  /** Its name in the overview's fields. */
  field: string;
}

/** Drill-down graph names and their fields go into one RRD file name with the host's: kept short. */
const MAX_CHILD_NAME = 40;
const MAX_CHILD_FIELD = 100;

/** The targets, and whether a path lies below a directory recalled from the kept listings (not to be read: U). */
type Listing = { targets: IscsiTarget[]; recalled: (path: string) => boolean } | { unavailable: string };

/** The iSCSI targets under root that have the iSCSI statistics, in path order. */
function listTargets(root: string, env: NodeJS.ProcessEnv, keep = true): Listing {
  if (!existsSync(root)) return { unavailable: `${root} not found: target_core_mod not loaded or configfs not mounted` };
  // An acls/ that cannot be listed is said once; its initiators' fields are U, as last listed.
  const tree = readListedLioTree(root, env, 'acls', keep);
  const byTarget = new Map<string, LioTpg[]>();
  for (const tpg of tree.tpgs) {
    if (tpg.fabric !== 'iscsi') continue;
    byTarget.set(tpg.target, [...(byTarget.get(tpg.target) ?? []), tpg]);
  }
  if (byTarget.size === 0) return { unavailable: `no iSCSI target under ${root}/iscsi` };
  const children = new FieldNames(MAX_CHILD_NAME);
  const fields = new FieldNames();
  const targets: IscsiTarget[] = [];
  let withoutStatistics = 0;
  for (const [target, tpgs] of byTarget) {
    const path = `${root}/iscsi/${target}`;
    if (!hasIscsiStatistics(path)) {
      withoutStatistics++;
      continue;
    }
    targets.push({ target, path, tpgs, child: children.next(cleanName(shortTarget(target)), target), field: fields.next(cleanName(target), target) });
  }
  if (targets.length === 0) return { unavailable: `the iSCSI targets under ${root}/iscsi have no fabric_statistics (a kernel without the iSCSI statistics)` };
  if (withoutStatistics > 0) warn(`${withoutStatistics} iSCSI target(s) under ${root}/iscsi have no fabric_statistics and are left out`);
  return { targets, recalled: (path) => isRecalled(tree, path) };
}

function autoconf(root: string, env: NodeJS.ProcessEnv): string {
  const listing = listTargets(root, env, false);
  return 'unavailable' in listing ? `no (${listing.unavailable})` : 'yes';
}


/** A TPG other than tpgt_1 adds its name, as in lio_read's fields. */
const tpgPart = (tpg: LioTpg) => (tpg.tpgt === 'tpgt_1' ? '' : tpg.tpgt);


// ---------------------------------------------------------------------------------------------
// lio_sessions

const SESSION_RANGES: RangeDefault[] = [
  { kind: 'sessions' },
  { kind: 'loggedin', warning: '1:' },
];

const STATE_GRAPH_ARGS = '--lower-limit -0.1 --upper-limit 1.1 --rigid --y-grid 1:1';

export function lioSessionsPlugin(env: NodeJS.ProcessEnv): Plugin<Graph[]> {
  const root = env.target_root || DEFAULT_TARGET_ROOT;
  const overview = (fields: Field[]): Graph => ({
    name: 'lio_sessions',
    attributes: [
      ['graph_title', 'iSCSI sessions per target'],
      ['graph_category', 'san'],
      ['graph_info', `The sessions logged in to each iSCSI target (fabric_statistics/iscsi_instance/sessions under ${root}/iscsi). A minimum per target is set with env.TARGET_critical; each target's page shows which initiators are logged in.`],
      ['graph_vlabel', 'sessions'],
      ['graph_args', '--lower-limit 0'],
      ['graph_scale', 'no'],
      ['graph_printf', '%3.0lf'],
    ],
    fields,
  });
  return {
    autoconf: () => autoconf(root, env),
    graph(withValues, withConfig = true) {
      const listing = listTargets(root, env);
      if ('unavailable' in listing) return [overview([])];
      // One copy of the settings: each look-up in process.env is a call into Node's C++ side.
      const settings = { ...env };
      const ranges = withConfig ? new AlertRanges(settings, SESSION_RANGES, /^\w+$/) : null;
      const graphs: Graph[] = [overview([])];
      for (const target of listing.targets) {
        const sessions = initiatorSessions(target, withValues || withConfig, listing.recalled);
        const problems: string[] = [];
        const count = withValues ? readSessionCount(target.path, problems) : null;
        for (const problem of problems) warn(problem);
        (graphs[0]!.fields as Field[]).push({
          name: target.field,
          label: shortTarget(target.target),
          type: 'GAUGE',
          min: 0,
          info: withConfig ? `Sessions logged in to ${target.target}.` : undefined,
          ...(ranges ? ranges.of('sessions', target.field) : {}),
          extinfo: withConfig ? sessionsSaid(sessions) : undefined,
          value: count,
        });
        const fields = [...initiatorFields(target, sessions, ranges, withValues, withConfig)];
        if (fields.length === 0) continue;
        graphs.push({
          name: `lio_sessions.${target.child}`,
          attributes: [
            ['graph_title', `iSCSI initiators of ${shortTarget(target.target)}`],
            ['graph_category', 'san'],
            ['graph_info', `1 where an initiator with an ACL on ${target.target} is logged in, 0 where not (from acls/INITIATOR/info); in demo mode (generate_node_acls), the number of initiators logged in without an ACL (dynamic_sessions).`],
            ['graph_vlabel', '1 logged in, 0 not'],
            ['graph_args', STATE_GRAPH_ARGS],
            ['graph_scale', 'no'],
            ['graph_printf', '%3.0lf'],
          ],
          fields,
        });
      }
      return graphs;
    },
  };
}

/** What each ACL'd initiator's info file says, and each demo-mode TPG's dynamic sessions. */
interface InitiatorSessions {
  acls: Array<{ tpg: LioTpg; initiator: string; session: AclSession | null }>;
  dynamic: Array<{ tpg: LioTpg; initiators: string[] | null }>;
}

function initiatorSessions(target: IscsiTarget, read: boolean, recalled: (path: string) => boolean): InitiatorSessions {
  const result: InitiatorSessions = { acls: [], dynamic: [] };
  for (const tpg of target.tpgs) {
    for (const acl of tpg.acls) {
      const aclPath = `${tpg.path}/acls/${acl.initiator}`;
      const session = read && !recalled(`${aclPath}/info`) ? readAclSession(aclPath) : null;
      if (session?.problem) warn(session.problem);
      result.acls.push({ tpg, initiator: acl.initiator, session });
    }
    if (isDemoMode(tpg.path)) {
      const problems: string[] = [];
      const initiators = read ? readDynamicSessions(tpg.path, problems) : null;
      for (const problem of problems) warn(problem);
      result.dynamic.push({ tpg, initiators });
    }
  }
  return result;
}

/** Where an initiator is logged in from, for extinfo. */
function sessionSaid(initiator: string, session: AclSession | null): string {
  if (!session || session.loggedIn === null) return `${initiator}: session unknown${session?.problem ? ` (${session.problem})` : ''}`;
  if (!session.loggedIn) return `${initiator}: no active iSCSI session`;
  const from = session.addresses.length > 0 ? ` from ${session.addresses.join(', ')}` : '';
  return `${initiator}: logged in${from}${session.state && session.state !== 'TARG_SESS_STATE_LOGGED_IN' ? ` (${session.state})` : ''}`;
}

/** The overview's extinfo: who is logged in and who is not, so that a minimum alert names them. */
function sessionsSaid(sessions: InitiatorSessions): string | undefined {
  const inNames = sessions.acls.filter((a) => a.session?.loggedIn).map((a) => shortTarget(a.initiator));
  const outNames = sessions.acls.filter((a) => a.session?.loggedIn === false).map((a) => shortTarget(a.initiator));
  const dynamic = sessions.dynamic.flatMap((d) => d.initiators ?? []).map(shortTarget);
  const parts = [
    inNames.length > 0 ? `logged in: ${inNames.join(', ')}` : '',
    dynamic.length > 0 ? `without an ACL: ${dynamic.join(', ')}` : '',
    outNames.length > 0 ? `not logged in: ${outNames.join(', ')}` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function* initiatorFields(target: IscsiTarget, sessions: InitiatorSessions, ranges: AlertRanges | null, withValues: boolean, withConfig: boolean): Generator<Field> {
  const names = new FieldNames(MAX_CHILD_FIELD);
  for (const { tpg, initiator, session } of sessions.acls) {
    const name = names.next(cleanName(initiator) + tpgPart(tpg), `${tpg.path}/acls/${initiator}`);
    const loggedIn = session?.loggedIn;
    yield {
      name,
      label: withConfig ? `${shortTarget(initiator)}${tpgPart(tpg) ? ` ${tpg.tpgt}` : ''}` : '',
      type: 'GAUGE',
      min: 0,
      max: 1,
      info: withConfig ? `1 where ${initiator} is logged in to ${target.target} ${tpg.tpgt}, 0 where not.` : undefined,
      ...(ranges ? ranges.of('loggedin', name) : {}),
      extinfo: withConfig ? sessionSaid(initiator, session) : undefined,
      value: withValues && loggedIn !== null && loggedIn !== undefined ? (loggedIn ? '1' : '0') : null,
    };
  }
  for (const { tpg, initiators } of sessions.dynamic) {
    const name = names.next(`dynamic${tpgPart(tpg)}`, `${tpg.path}/dynamic_sessions`);
    yield {
      name,
      label: withConfig ? `without an ACL${tpgPart(tpg) ? ` ${tpg.tpgt}` : ''}` : '',
      type: 'GAUGE',
      min: 0,
      info: withConfig ? `Initiators logged in to ${target.target} ${tpg.tpgt} through dynamic ACLs (demo mode, generate_node_acls 1).` : undefined,
      extinfo: withConfig && initiators && initiators.length > 0 ? `logged in: ${initiators.join(', ')}` : undefined,
      value: withValues && initiators ? String(initiators.length) : null,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// lio_iscsi_errors

/** A counter of a target's drill-down graph. */
interface TargetCounter {
  kind: string;
  label: string;
  info: string;
  warning?: string;
  read: (stats: IscsiTargetStatistics) => string | null;
}

const ABOVE_ZERO = ':0';

const TARGET_COUNTERS: TargetCounter[] = [
  { kind: 'accepts', label: 'logins accepted', info: 'Logins accepted (iscsi_login_stats/accepts).', read: (s) => s.logins.accepts },
  { kind: 'authorize_fails', label: 'login authorization failures', warning: ABOVE_ZERO, info: 'Logins refused because the initiator is not allowed: no ACL for it and no demo mode (iscsi_login_stats/authorize_fails).', read: (s) => s.logins.authorize_fails },
  { kind: 'authenticate_fails', label: 'login authentication failures', warning: ABOVE_ZERO, info: 'Logins refused because CHAP failed: a wrong user or secret (iscsi_login_stats/authenticate_fails).', read: (s) => s.logins.authenticate_fails },
  { kind: 'negotiate_fails', label: 'login negotiation failures', warning: ABOVE_ZERO, info: 'Logins that failed negotiating parameters (iscsi_login_stats/negotiate_fails).', read: (s) => s.logins.negotiate_fails },
  { kind: 'other_fails', label: 'other login failures', warning: ABOVE_ZERO, info: 'Logins that failed for another reason, e.g. a TPG disabled or out of resources (iscsi_login_stats/other_fails).', read: (s) => s.logins.other_fails },
  { kind: 'redirects', label: 'login redirects', info: 'Logins redirected to another portal (iscsi_login_stats/redirects).', read: (s) => s.logins.redirects },
  { kind: 'normal_logouts', label: 'normal logouts', info: 'Sessions closed by a logout (iscsi_logout_stats/normal_logouts).', read: (s) => s.logouts.normal_logouts },
  { kind: 'abnormal_logouts', label: 'abnormal logouts', warning: ABOVE_ZERO, info: 'Sessions closed without a normal logout: a lost connection, a reset, a timeout (iscsi_logout_stats/abnormal_logouts).', read: (s) => s.logouts.abnormal_logouts },
  { kind: 'digest_errors', label: 'session digest errors', warning: ABOVE_ZERO, info: 'Header or data digest (CRC32C) errors: corruption on the wire (iscsi_sess_err/digest_errors).', read: (s) => s.sessionErrors.digest_errors },
  { kind: 'cxn_errors', label: 'session connection errors', warning: ABOVE_ZERO, info: 'Connection timeouts and drops (iscsi_sess_err/cxn_errors).', read: (s) => s.sessionErrors.cxn_errors },
  { kind: 'format_errors', label: 'session format errors', warning: ABOVE_ZERO, info: 'PDUs the target could not parse (iscsi_sess_err/format_errors).', read: (s) => s.sessionErrors.format_errors },
];

const LOGIN_FAILURE_KINDS = new Set(['authorize_fails', 'authenticate_fails', 'negotiate_fails', 'other_fails']);

const CONNECTION_COUNTERS = [
  { kind: 'conn_digest_errors', suffix: '_digest', label: 'digest errors', info: 'Digest errors on the connections of this initiator\'s session (acls/INITIATOR/fabric_statistics/iscsi_sess_stats/conn_digest_errors); 0 while it has no session.' },
  { kind: 'conn_timeout_errors', suffix: '_timeout', label: 'connection timeouts', info: 'Connection timeouts of this initiator\'s session (acls/INITIATOR/fabric_statistics/iscsi_sess_stats/conn_timeout_errors); 0 while it has no session.' },
] as const;

const ERROR_RANGES: RangeDefault[] = [
  ...TARGET_COUNTERS.map(({ kind, warning }) => ({ kind, warning })),
  ...CONNECTION_COUNTERS.map(({ kind }) => ({ kind, warning: ABOVE_ZERO })),
];

/** Counters summed for the overview. */
function sum(values: Array<string | null>): string | null {
  let total = 0;
  for (const value of values) {
    if (value === null) return null;
    total += Number(value);
  }
  return String(total);
}

const OVERVIEW_SUMS = [
  { suffix: '_logins', label: 'logins accepted', info: 'Logins accepted.', read: (s: IscsiTargetStatistics) => s.logins.accepts },
  { suffix: '_login_fails', label: 'login failures', info: 'Failed logins: authorization, authentication, negotiation and other failures.', read: (s: IscsiTargetStatistics) => sum([s.logins.authorize_fails, s.logins.authenticate_fails, s.logins.negotiate_fails, s.logins.other_fails]) },
  { suffix: '_abnormal_logouts', label: 'abnormal logouts', info: 'Sessions closed without a normal logout.', read: (s: IscsiTargetStatistics) => s.logouts.abnormal_logouts },
  { suffix: '_session_errors', label: 'session errors', info: 'Digest, connection and format errors.', read: (s: IscsiTargetStatistics) => sum([s.sessionErrors.digest_errors, s.sessionErrors.cxn_errors, s.sessionErrors.format_errors]) },
];

/** Where "last failed login" times come from: the kernel stamps them in time since boot. */
const DEFAULT_UPTIME_FILE = '/proc/uptime';

export function lioIscsiErrorsPlugin(env: NodeJS.ProcessEnv): Plugin<Graph[]> {
  const root = env.target_root || DEFAULT_TARGET_ROOT;
  const rateAttributes = (title: string, info: string): Array<[string, string]> => [
    ['graph_title', title],
    ['graph_category', 'san'],
    ['graph_info', info],
    ['graph_vlabel', 'events per ${graph_period}'],
    ['graph_args', '--lower-limit 0'],
    ['graph_period', 'minute'],
    ['graph_scale', 'no'],
    ['graph_printf', '%6.2lf'],
  ];
  const overview = (fields: Field[]): Graph => ({
    name: 'lio_iscsi_errors',
    attributes: rateAttributes('iSCSI logins and errors', `Per iSCSI target: logins accepted and failed, abnormal logouts and session errors (fabric_statistics under ${root}/iscsi). Each target's page breaks them down by kind and by initiator, and alerts.`),
    fields,
  });
  return {
    autoconf: () => autoconf(root, env),
    graph(withValues, withConfig = true) {
      const listing = listTargets(root, env);
      if ('unavailable' in listing) return [overview([])];
      // One copy of the settings: each look-up in process.env is a call into Node's C++ side.
      const settings = { ...env };
      const ranges = withConfig ? new AlertRanges(settings, ERROR_RANGES, /^\w+$/) : null;
      const bootTime = withConfig ? bootTimeOf(settings.proc_uptime || DEFAULT_UPTIME_FILE) : null;
      const overviewFields: Field[] = [];
      const graphs: Graph[] = [overview(overviewFields)];
      const overviewNames = new FieldNames();
      for (const target of listing.targets) {
        const stats = withValues || withConfig ? readIscsiTargetStatistics(target.path) : null;
        for (const problem of stats?.problems ?? []) warn(problem);
        const short = shortTarget(target.target);
        for (const s of OVERVIEW_SUMS) {
          overviewFields.push({
            name: overviewNames.next(target.field + s.suffix, `${target.path}${s.suffix}`),
            label: withConfig ? `${short} ${s.label}` : '',
            type: 'DERIVE',
            min: 0,
            info: withConfig ? s.info : undefined,
            value: withValues && stats ? s.read(stats) : null,
          });
        }
        const failure = withConfig && stats ? lastFailureSaid(stats.lastFailure, bootTime) : undefined;
        const fields: Field[] = TARGET_COUNTERS.map((c) => ({
          name: c.kind,
          label: withConfig ? `${short} ${c.label}` : '',
          type: 'DERIVE',
          min: 0,
          info: withConfig ? c.info : undefined,
          ...(ranges ? ranges.of(c.kind, `${target.child}_${c.kind}`) : {}),
          extinfo: LOGIN_FAILURE_KINDS.has(c.kind) ? failure : undefined,
          value: withValues && stats ? c.read(stats) : null,
        }));
        fields.push(...connectionFields(target, ranges, withValues, withConfig, listing.recalled));
        graphs.push({
          name: `lio_iscsi_errors.${target.child}`,
          attributes: rateAttributes(`iSCSI logins and errors of ${short}`, `Logins, logouts and errors of ${target.target} by kind, and the connection errors of each initiator's session (0 while it has none). Failures and errors warn above 0.`),
          fields,
        });
      }
      return graphs;
    },
  };
}

function* connectionFields(target: IscsiTarget, ranges: AlertRanges | null, withValues: boolean, withConfig: boolean, recalled: (path: string) => boolean): Generator<Field> {
  // Names unique with the target's own fields (accepts, ...), which no initiator name can end like.
  const names = new FieldNames(MAX_CHILD_FIELD);
  for (const tpg of target.tpgs) {
    for (const acl of tpg.acls) {
      const aclPath = `${tpg.path}/acls/${acl.initiator}`;
      const problems: string[] = [];
      const read = withValues && !recalled(`${aclPath}/info`) ? readConnectionErrors(aclPath, problems) : null;
      for (const problem of problems) warn(problem);
      const base = cleanName(acl.initiator) + tpgPart(tpg);
      for (const c of CONNECTION_COUNTERS) {
        const name = names.next(base + c.suffix, `${aclPath}/${c.kind}`);
        yield {
          name,
          label: withConfig ? `${shortTarget(acl.initiator)}${tpgPart(tpg) ? ` ${tpg.tpgt}` : ''} ${c.label}` : '',
          type: 'DERIVE',
          min: 0,
          info: withConfig ? c.info : undefined,
          ...(ranges ? ranges.of(c.kind, `${target.child}_${name}`) : {}),
          // No session, no connection to err: 0, not an unknown that would alert on its own.
          value: read ? (read.noSession ? '0' : read.values[c.kind]) : null,
        };
      }
    }
  }
}

/** When the system booted, in ms since the epoch, from /proc/uptime; null when unknown. */
function bootTimeOf(uptimeFile: string): number | null {
  const read = readSmallFile(uptimeFile, 4096, 'latin1');
  const seconds = 'text' in read ? Number(read.text.split(' ')[0]) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? Date.now() - seconds * 1000 : null;
}

/** The kernel's centisecond stamp is a u32: it wraps every 2^32 hundredths of a second. */
const WRAP_MS = 2 ** 32 * 10;

function lastFailureSaid(failure: LastLoginFailure | null, bootTime: number | null): string {
  if (!failure) return 'no failed login since the iSCSI target module was loaded';
  const parts = [`last failed login: ${failure.initiator}`];
  if (failure.address) parts.push(` from ${failure.address}`);
  if (failure.kind) parts.push(`, ${failure.kind}`);
  if (failure.uptimeCentiseconds !== null && bootTime !== null) {
    let at = bootTime + failure.uptimeCentiseconds * 10;
    while (at + WRAP_MS <= Date.now()) at += WRAP_MS;
    parts.push(`, at ${localTime(at)}`);
  }
  return parts.join('');
}

/** 2026-11-30 10:03:12 +0100: the local time the alert mail's reader lives in, with its offset. */
function localTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`
  );
}
