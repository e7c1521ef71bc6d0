// The cluster state as Pacemaker's crm_mon prints it in XML: `crm_mon --output-as=xml`
// (Pacemaker 2.x, root <pacemaker-result>) or `crm_mon --as-xml` (1.1, root <crm_mon>); both
// have the same <summary>, <nodes>, <resources>, <node_history> and <failures> elements.
// Attribute names and values as in Pacemaker's schemas (xml/api/crm_mon-2.*.rng, crm_mon.rng).
import { runBounded, type CommandRun } from '../bounded-command.js';
import { child, parseXml, type XmlElement } from './xml.js';

export const DEFAULT_CRM_MON = '/usr/sbin/crm_mon';
/** Well under Munin's plugin timeout; crm_mon answers in well under a second on a live cluster. */
export const DEFAULT_CRM_MON_TIMEOUT_S = 5;
/**
 * Everything but the operation history (Pacemaker 2.0.3+: --include/--exclude came with
 * --output-as), which is half of crm_mon's XML and read by nothing here; the fail counts stay in
 * <node_history>.
 */
export const CRM_MON_ARGS = ['--output-as=xml', '--exclude=operations'] as const;
/** Pacemaker 1.1's crm_mon knows no --output-as. */
export const CRM_MON_ARGS_1_1 = ['--as-xml'] as const;

export interface ClusterNode {
  name: string;
  /** null: crm_mon printed a value that is not true/false (or none). */
  online: boolean | null;
  standby: boolean | null;
  maintenance: boolean | null;
  unclean: boolean | null;
  /** What crm_mon said about the node, for extinfo. */
  said: string;
}

/** A primitive (or a clone's instance): where it runs and how. */
export interface ClusterPrimitive {
  id: string;
  role: string;
  active: boolean | null;
  failed: boolean | null;
  /** The node names it runs on. */
  nodes: string[];
  targetRole: string | null;
}

/** A top-level resource: a primitive, a group, a clone or a bundle, with its primitives. */
export interface ClusterResource {
  id: string;
  kind: 'primitive' | 'group' | 'clone' | 'bundle';
  /** A promotable (multi-state) clone: where it is promoted is where it "runs". */
  promotable: boolean;
  /** Stopped on purpose (target-role Stopped): it need not run. */
  disabled: boolean;
  primitives: ClusterPrimitive[];
}

/** A failed action, as in crm_mon's "Failed Resource Actions". */
export interface FailedAction {
  /** The primitive's id (a clone instance's `:N` removed). */
  resource: string;
  node: string;
  said: string;
}

export interface ClusterState {
  /** null when crm_mon did not say (no DC elected, as with a CIB file without dc-uuid). */
  quorum: boolean | null;
  dc: string | null;
  nodes: ClusterNode[];
  resources: ClusterResource[];
  /** Fail counts by primitive id (instance `:N` removed), then node name. */
  failCounts: Map<string, Map<string, { count: number; said: string }>>;
  failures: FailedAction[];
}

/** Pacemaker's INFINITY, as a fail count of "INFINITY" is counted. */
export const INFINITY = 1_000_000;

const bool = (value: string | undefined): boolean | null => (value === 'true' ? true : value === 'false' ? false : null);
/** A clone instance's history id is the primitive's, with `:N` appended for anonymous clones. */
const primitiveId = (id: string) => id.replace(/:\d+$/, '');

export class UnexpectedXml extends Error {}
/** crm_mon's own report that it has no state to give (not connected, no CIB). */
export class CrmMonFailed extends Error {}

function primitivesOf(element: XmlElement): ClusterPrimitive[] {
  if (element.name === 'resource') {
    const a = element.attributes;
    if (a.id === undefined || a.role === undefined) throw new UnexpectedXml('a <resource> without id or role');
    return [
      {
        id: primitiveId(a.id),
        role: a.role,
        active: bool(a.active),
        failed: bool(a.failed),
        nodes: element.children.filter((c) => c.name === 'node' && c.attributes.name !== undefined).map((c) => c.attributes.name!),
        targetRole: a.target_role ?? null,
      },
    ];
  }
  // group, clone, bundle (its replicas), a clone of a group
  return element.children.flatMap(primitivesOf);
}

const KINDS: Record<string, ClusterResource['kind']> = { resource: 'primitive', group: 'group', clone: 'clone', bundle: 'bundle' };

function nodeSaid(a: Record<string, string>): string {
  // crm_mon's flags in its own words (as its text output says them); a value that is neither
  // true nor false is quoted as printed.
  const words = [a.online === 'true' ? 'online' : a.online === 'false' ? 'OFFLINE' : `online=${a.online ?? '(none)'}`];
  for (const [key, word] of [['standby', 'standby'], ['maintenance', 'maintenance'], ['unclean', 'UNCLEAN'], ['pending', 'pending'], ['shutdown', 'shutting down'], ['is_dc', 'DC']]) {
    if (a[key!] === 'true') words.push(word!);
    else if (a[key!] !== undefined && a[key!] !== 'false') words.push(`${key}=${a[key!]}`);
  }
  return `${a.name}: ${words.join(', ')}`;
}

function failureSaid(a: Record<string, string>): string {
  const reason = a.exitreason ? ` (${a.exitreason})` : '';
  const interval = a.interval && a.interval !== '0' ? ` interval ${a.interval}` : '';
  return `${a.op_key ?? a.task} on ${a.node}: ${a.exitstatus ?? `exit ${a.exitcode}`}${reason}${interval}, at ${a['last-rc-change'] ?? 'an unknown time'}`;
}

/** The resource a failure's op_key (`<rsc>_<task>_<interval>`) is about. */
function failureResource(a: Record<string, string>): string | null {
  const key = a.op_key;
  if (!key) return null;
  const suffix = a.task !== undefined && a.interval !== undefined ? `_${a.task}_${a.interval}` : null;
  if (suffix && key.endsWith(suffix)) return primitiveId(key.slice(0, -suffix.length));
  const m = /^(.+)_[a-z_-]+_\d+$/.exec(key);
  return m ? primitiveId(m[1]!) : null;
}

/** Reads crm_mon's XML; throws UnexpectedXml (or the XML reader's Error) on anything else. */
export function parseCrmMon(text: string): ClusterState {
  const root = parseXml(text);
  if (root.name !== 'pacemaker-result' && root.name !== 'crm_mon') throw new UnexpectedXml(`the root element is <${root.name}>, not <pacemaker-result> or <crm_mon>`);
  const status = child(root, 'status');
  const summary = child(root, 'summary');
  const nodes = child(root, 'nodes');
  const resources = child(root, 'resources');
  // crm_mon 2.x reports a failure in <status>: a code, or (as for a CIB file it cannot read)
  // code 0 with errors and no state.
  if (status && (status.attributes.code !== '0' || !summary)) {
    const errors = child(status, 'errors')?.children.map((e) => e.text).filter(Boolean) ?? [];
    const said = status.attributes.code === '0' ? [] : [status.attributes.message ?? `status ${status.attributes.code}`];
    throw new CrmMonFailed([...said, errors.join('; ')].filter(Boolean).join(': ') || 'no cluster state');
  }
  if (!summary || !nodes) throw new UnexpectedXml(`no <${summary ? 'nodes' : 'summary'}> in crm_mon's output`);
  const dc = child(summary, 'current_dc');
  const state: ClusterState = {
    quorum: dc?.attributes.present === 'true' ? bool(dc.attributes.with_quorum) : null,
    dc: dc?.attributes.present === 'true' ? (dc.attributes.name ?? null) : null,
    nodes: [],
    resources: [],
    failCounts: new Map(),
    failures: [],
  };
  for (const node of nodes.children) {
    const a = node.attributes;
    if (node.name !== 'node' || a.name === undefined) throw new UnexpectedXml(`<${node.name}> without a name in <nodes>`);
    state.nodes.push({ name: a.name, online: bool(a.online), standby: bool(a.standby), maintenance: bool(a.maintenance), unclean: bool(a.unclean), said: nodeSaid(a) });
  }
  for (const element of resources?.children ?? []) {
    const kind = KINDS[element.name];
    const id = element.attributes.id;
    if (!kind || id === undefined) throw new UnexpectedXml(`<${element.name}> without an id in <resources>`);
    const primitives = primitivesOf(element);
    const targetStopped = primitives.length > 0 && primitives.every((p) => p.targetRole?.toLowerCase() === 'stopped');
    state.resources.push({
      id: kind === 'primitive' ? primitiveId(id) : id,
      kind,
      promotable: element.attributes.multi_state === 'true',
      disabled: element.attributes.disabled === 'true' || targetStopped,
      primitives,
    });
  }
  for (const node of child(root, 'node_history')?.children ?? []) {
    for (const history of node.children) {
      const count = history.attributes['fail-count'];
      if (history.name !== 'resource_history' || count === undefined || node.attributes.name === undefined) continue;
      const id = primitiveId(history.attributes.id ?? '');
      const value = count.toUpperCase() === 'INFINITY' ? INFINITY : Number(count);
      if (!Number.isFinite(value)) throw new UnexpectedXml(`fail-count="${count}" of ${id} on ${node.attributes.name}`);
      const byNode = state.failCounts.get(id) ?? new Map();
      const before = byNode.get(node.attributes.name);
      const last = history.attributes['last-failure'];
      byNode.set(node.attributes.name, {
        count: (before?.count ?? 0) + value,
        said: `${before ? `${before.said}; ` : ''}${history.attributes.id} fail-count ${count} on ${node.attributes.name}${last ? `, last failure ${last}` : ''}`,
      });
      state.failCounts.set(id, byNode);
    }
  }
  for (const failure of child(root, 'failures')?.children ?? []) {
    const resource = failureResource(failure.attributes);
    if (failure.name !== 'failure' || resource === null || failure.attributes.node === undefined) throw new UnexpectedXml(`a failed action crm_mon printed is not understood: <${failure.name}> op_key="${failure.attributes.op_key ?? ''}"`);
    state.failures.push({ resource, node: failure.attributes.node, said: failureSaid(failure.attributes) });
  }
  return state;
}

/** The promoted role: Promoted since Pacemaker 2.1, Master before (1.1, 2.0); the other role is Unpromoted, or Slave. */
export const isPromoted = (role: string) => role === 'Promoted' || role === 'Master';

/** Where a resource runs: the nodes of its active primitives (a promotable clone: its promoted ones). */
export function runsOn(resource: ClusterResource): Set<string> {
  if (!resource.promotable) return instancesOn(resource);
  return new Set(resource.primitives.filter((p) => isPromoted(p.role)).flatMap((p) => p.nodes));
}

/** The nodes of a resource's active primitives, in any role (a promotable clone: promoted or not). */
export function instancesOn(resource: ClusterResource): Set<string> {
  return new Set(resource.primitives.filter((p) => p.active).flatMap((p) => p.nodes));
}

/** What crm_mon said about a resource: each primitive's role and nodes, in a few words. */
export function resourceSaid(resource: ClusterResource, state: ClusterState, withFailures = true): string {
  const parts = new Map<string, string[]>();
  for (const p of resource.primitives) {
    const where = p.nodes.length ? ` on ${p.nodes.join(', ')}` : '';
    const text = `${p.role}${where}${p.failed ? ' (FAILED)' : ''}${p.targetRole ? ` target-role ${p.targetRole}` : ''}`;
    parts.set(p.id, [...(parts.get(p.id) ?? []), text]);
  }
  const members = [...parts].map(([id, texts]) => `${id} ${texts.join(', ')}`).join('; ');
  const ids = new Set(resource.primitives.map((p) => p.id));
  const failures = state.failures.filter((f) => ids.has(f.resource)).map((f) => f.said);
  const head = `${resource.kind} ${resource.id}${resource.disabled ? ' (disabled)' : ''}: ${members || 'no primitives'}`;
  return failures.length && withFailures ? `${head}; failed: ${failures.join('; ')}` : head;
}

export type CrmMonRead = { ok: true; state: ClusterState; text: string } | { ok: false; refused: boolean; absent: boolean; reason: string };

/** crm_mon's words for options it does not know (getopt's); 2.x also exits with its usage status. */
const UNKNOWN_OPTION = /unrecognized option|invalid option|unknown option/i;
/** CRM_EX_USAGE: the exit status of a crm_mon that refuses its options. */
const EXIT_USAGE = 64;

/** Runs crm_mon (the 1.1 arguments when the 2.x ones are refused) and reads its output. */
export function runCrmMon(path: string, timeoutS: number, env?: Record<string, string | undefined>): CommandRun {
  const common = { path, timeoutS, env, notFound: 'install pacemaker-cli-utils (pacemaker-cli) or set env.crm_mon', refusedText: /Permission denied|Operation not permitted|Insufficient privileges/i };
  const run = runBounded({ ...common, args: CRM_MON_ARGS });
  if (!run.ok && (run.exitStatus === EXIT_USAGE || UNKNOWN_OPTION.test(run.reason))) return runBounded({ ...common, args: CRM_MON_ARGS_1_1 });
  return run;
}

export function readCrmMon(path: string, timeoutS: number, env?: Record<string, string | undefined>): CrmMonRead {
  const run = runCrmMon(path, timeoutS, env);
  if (!run.ok) {
    // crm_mon 2.x says why in its XML on stdout (exit 102 "Not connected" without a cluster).
    let reason = run.reason;
    try {
      if (run.output) parseCrmMon(run.output);
    } catch (err) {
      if (err instanceof CrmMonFailed) reason = `${run.reason.replace(/: <.*$/, '')}: ${err.message}`;
    }
    return { ok: false, refused: run.refused, absent: run.reason.startsWith(`${path} not found`), reason };
  }
  try {
    return { ok: true, state: parseCrmMon(run.output), text: run.output };
  } catch (err) {
    if (err instanceof CrmMonFailed) return { ok: false, refused: false, absent: false, reason: `${path}: ${err.message}` };
    return { ok: false, refused: false, absent: false, reason: `${path} printed what is not crm_mon's XML status: ${(err as Error).message}` };
  }
}
