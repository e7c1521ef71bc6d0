// The iSCSI target's own statistics and session state in configfs
// (kernel drivers/target/iscsi/iscsi_target_stat.c and iscsi_target_configfs.c,
// drivers/target/target_core_transport.c for dynamic_sessions):
//
//   <root>/iscsi/<iqn>/fabric_statistics/iscsi_instance/sessions          sessions of the target
//   <root>/iscsi/<iqn>/fabric_statistics/iscsi_login_stats/{accepts,...}  logins by result
//   <root>/iscsi/<iqn>/fabric_statistics/iscsi_logout_stats/{normal_logouts,abnormal_logouts}
//   <root>/iscsi/<iqn>/fabric_statistics/iscsi_sess_err/{digest_errors,cxn_errors,format_errors}
//   <root>/iscsi/<iqn>/fabric_statistics/iscsi_tgt_attr/{fail_intr_name,fail_intr_addr,last_fail_time,last_fail_type}
//   <root>/iscsi/<iqn>/tpgt_<T>/acls/<initiator>/info                      the ACL's session, if any
//   <root>/iscsi/<iqn>/tpgt_<T>/acls/<initiator>/fabric_statistics/iscsi_sess_stats/conn_{digest,timeout}_errors
//   <root>/iscsi/<iqn>/tpgt_<T>/dynamic_sessions                           initiators logged in without an ACL
//   <root>/iscsi/<iqn>/tpgt_<T>/attrib/generate_node_acls                  1: demo mode (dynamic ACLs)
//
// Counters are u32 and count since the module was loaded. Every value is the text the kernel
// printed (digits) or null with the reason in problems.
import { readCounter } from './configfs.js';
import { readSmallFile } from '../small-file.js';
import { briefError } from '../errors.js';

export const LOGIN_RESULTS = ['accepts', 'authorize_fails', 'authenticate_fails', 'negotiate_fails', 'other_fails', 'redirects'] as const;
export const LOGOUT_KINDS = ['normal_logouts', 'abnormal_logouts'] as const;
export const SESSION_ERRORS = ['digest_errors', 'cxn_errors', 'format_errors'] as const;
export const CONNECTION_ERRORS = ['conn_digest_errors', 'conn_timeout_errors'] as const;

export type LoginResult = (typeof LOGIN_RESULTS)[number];
export type LogoutKind = (typeof LOGOUT_KINDS)[number];
export type SessionError = (typeof SESSION_ERRORS)[number];
export type ConnectionError = (typeof CONNECTION_ERRORS)[number];

/** iscsi_target_stat.h ISCSI_LOGIN_FAIL_*: what last_fail_type holds. */
const FAIL_TYPES: Record<string, string> = {
  '2': 'other failure',
  '3': 'redirect',
  '4': 'authorization failure',
  '5': 'authentication failure',
  '6': 'negotiation failure',
};

/** The last failed login the kernel remembers for a target (iscsi_tgt_attr). */
export interface LastLoginFailure {
  initiator: string;
  /** The initiator's address as the kernel printed it (IPv6 without brackets on current kernels), or null. */
  address: string | null;
  /** The kind of failure, in words, or null when the kernel's code is unknown. */
  kind: string | null;
  /** When, in hundredths of a second since boot (the kernel's clock; it wraps after 497 days). */
  uptimeCentiseconds: number | null;
}

/** A value per name, each the kernel's digits or null (not readable: see problems). */
export type Counters<K extends string> = Record<K, string | null>;

/** A file is missing when the kernel has no such statistics (older kernels, other fabrics). */
const readValue = (path: string, problems: string[]): string | null => {
  const read = readCounter(path);
  if ('value' in read) return read.value;
  problems.push(read.problem);
  return null;
};

function readCounters<K extends string>(dir: string, names: readonly K[], problems: string[]): Counters<K> {
  const values = {} as Counters<K>;
  for (const name of names) values[name] = readValue(`${dir}/${name}`, problems);
  return values;
}

/** A short text file (a name, an address, a session description), or null with the reason. */
function readText(path: string, problems: string[]): string | null {
  const read = readSmallFile(path, 64 * 1024, 'utf8');
  if ('text' in read) return read.text;
  problems.push(`cannot read ${path}: ${briefError(read.error)}`);
  return null;
}

export interface IscsiTargetStatistics {
  sessions: string | null;
  logins: Counters<LoginResult>;
  logouts: Counters<LogoutKind>;
  sessionErrors: Counters<SessionError>;
  /** Null when no login has failed since the module was loaded, or it cannot be read. */
  lastFailure: LastLoginFailure | null;
  /** What could not be read, one line each. */
  problems: string[];
}

/** True when the target directory has the iSCSI statistics groups (not on other fabrics). */
export function hasIscsiStatistics(targetPath: string): boolean {
  const probe = readCounter(`${targetPath}/fabric_statistics/iscsi_instance/sessions`);
  return 'value' in probe || !/ENOENT|ENOTDIR/.test(probe.problem);
}

/** The number of sessions of one iSCSI target, or null with the reason in problems. */
export function readSessionCount(targetPath: string, problems: string[]): string | null {
  return readValue(`${targetPath}/fabric_statistics/iscsi_instance/sessions`, problems);
}

/** The statistics of one iSCSI target (the directory <root>/iscsi/<iqn>). */
export function readIscsiTargetStatistics(targetPath: string): IscsiTargetStatistics {
  const problems: string[] = [];
  const stats = `${targetPath}/fabric_statistics`;
  return {
    sessions: readSessionCount(targetPath, problems),
    logins: readCounters(`${stats}/iscsi_login_stats`, LOGIN_RESULTS, problems),
    logouts: readCounters(`${stats}/iscsi_logout_stats`, LOGOUT_KINDS, problems),
    sessionErrors: readCounters(`${stats}/iscsi_sess_err`, SESSION_ERRORS, problems),
    lastFailure: readLastFailure(`${stats}/iscsi_tgt_attr`, problems),
    problems,
  };
}

function readLastFailure(dir: string, problems: string[]): LastLoginFailure | null {
  const name = readText(`${dir}/fail_intr_name`, problems)?.trim();
  // The kernel prints "None" until a login fails.
  if (!name || name === 'None') return null;
  const address = readText(`${dir}/fail_intr_addr`, problems)?.trim() ?? '';
  const time = readValue(`${dir}/last_fail_time`, problems);
  const type = readValue(`${dir}/last_fail_type`, problems);
  return {
    initiator: name,
    // A zeroed address prints as "(invalid address)" or "(einval)" (lib/vsprintf.c), an old
    // kernel's as an empty line.
    address: address === '' || address.startsWith('(') || address === '0.0.0.0' ? null : address,
    kind: type === null ? null : (FAIL_TYPES[type] ?? null),
    uptimeCentiseconds: time === null || time === '0' ? null : Number(time),
  };
}

/** The session of an ACL'd initiator, from its info file. */
export interface AclSession {
  /** true logged in, false not, null unknown (unreadable or a text this code does not know). */
  loggedIn: boolean | null;
  /** The addresses of the session's connections, as the kernel printed them. */
  addresses: string[];
  /** The session state word, e.g. TARG_SESS_STATE_LOGGED_IN. */
  state: string | null;
  problem?: string;
}

const NO_SESSION = 'No active iSCSI Session for Initiator Endpoint:';

/** Reads acls/<initiator>/info (lio_target_nacl_info_show). */
export function readAclSession(aclPath: string): AclSession {
  const problems: string[] = [];
  const text = readText(`${aclPath}/info`, problems);
  if (text === null) return { loggedIn: null, addresses: [], state: null, problem: problems[0] };
  if (text.startsWith(NO_SESSION)) return { loggedIn: false, addresses: [], state: null };
  if (!text.startsWith('InitiatorName:')) {
    return { loggedIn: null, addresses: [], state: null, problem: text.trim() === '' ? `${aclPath}/info is empty` : `${aclPath}/info is not an iSCSI session description` };
  }
  const state = /^Session State: (\S+)/m.exec(text)?.[1] ?? null;
  // "   Address 192.168.69.3 TCP  StatSN: 0x1a00d3e6", one per connection.
  const addresses = [...text.matchAll(/^\s+Address (\S+) (?:TCP|SCTP|\S+)/gm)].map((m) => m[1]!);
  return { loggedIn: true, addresses, state };
}

/** The connection error counters of an ACL'd initiator's session. */
export interface ConnectionErrors {
  /** The kernel's digits, or null: no session, or not readable (then in problems). */
  values: Counters<ConnectionError>;
  /** The initiator has no session: the kernel then prints nothing in these files. */
  noSession: boolean;
}

export function readConnectionErrors(aclPath: string, problems: string[]): ConnectionErrors {
  const dir = `${aclPath}/fabric_statistics/iscsi_sess_stats`;
  const values = {} as Counters<ConnectionError>;
  const empty: string[] = [];
  for (const name of CONNECTION_ERRORS) {
    const read = readCounter(`${dir}/${name}`);
    if ('value' in read) values[name] = read.value;
    else {
      values[name] = null;
      if (/ is empty$/.test(read.problem)) empty.push(read.problem);
      else problems.push(read.problem);
    }
  }
  // Empty files are the kernel's "no session" only when the info file says so too.
  const noSession = empty.length > 0 && readAclSession(aclPath).loggedIn === false;
  if (!noSession) problems.push(...empty);
  return { values, noSession };
}

/** A TPG's demo mode: 1 in attrib/generate_node_acls lets initiators in without an ACL. */
export function isDemoMode(tpgPath: string): boolean {
  const read = readCounter(`${tpgPath}/attrib/generate_node_acls`);
  return 'value' in read && read.value === '1';
}

/**
 * The initiators logged in through dynamic ACLs (demo mode), from dynamic_sessions: each name
 * followed by a newline and a NUL (target_show_dynamic_sessions counts the terminator).
 */
export function readDynamicSessions(tpgPath: string, problems: string[]): string[] | null {
  const text = readText(`${tpgPath}/dynamic_sessions`, problems);
  if (text === null) return null;
  return text.split(/[\n\0]+/).filter((name) => name !== '');
}
