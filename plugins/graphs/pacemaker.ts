// The pacemaker graphs: node and quorum health, where each resource (a group counted as one) runs,
// and its fail counts and failed actions, from `crm_mon --output-as=xml` (lib/cluster/crm-mon.ts),
// with the warning and critical ranges munin-limits alerts on.
import { DEFAULT_CRM_MON, DEFAULT_CRM_MON_TIMEOUT_S, instancesOn, readCrmMon, resourceSaid, runsOn, type ClusterResource, type ClusterState, type CrmMonRead } from '../../lib/cluster/crm-mon.js';
import { AlertRanges, type RangeDefault } from '../../lib/munin/alert-ranges.js';
import { cleanName, FieldNames } from '../../lib/munin/field-names.js';
import { warn, type Field, type Graph, type Plugin } from '../../lib/munin/protocol.js';
import { PluginState } from './plugin-state.js';

// Kinds of field and their default ranges (env.KIND_warning / env.KIND_critical change them).
const RANGES: RangeDefault[] = [
  { kind: 'quorum', critical: '1:' },
  { kind: 'online', critical: '1:' },
  { kind: 'unclean', critical: ':0' },
  { kind: 'standby', warning: ':0' },
  { kind: 'maintenance', warning: ':0' },
  { kind: 'running', critical: '1:' },
  { kind: 'location' },
  /** A location field on a node other than env.preferred_node. */
  { kind: 'elsewhere', warning: ':0' },
  { kind: 'failcount', warning: ':0' },
  { kind: 'failed' },
];

const NODE_KINDS = [
  { kind: 'online', label: 'online', info: '1 online, 0 offline: critical.' },
  { kind: 'unclean', label: 'unclean', info: '1 unclean (lost without a clean shutdown, to be fenced), 0 not: critical.' },
  { kind: 'standby', label: 'standby', info: '1 in standby (may run no resources), 0 not: warning.' },
  { kind: 'maintenance', label: 'maintenance', info: '1 in maintenance (resources not managed there), 0 not: warning.' },
] as const;

const YES_NO_ARGS = '--lower-limit -0.1 --upper-limit 1.1 --rigid --y-grid 1:1';

const GRAPHS = {
  health: {
    name: 'pacemaker',
    attributes: [
      ['graph_title', 'Pacemaker cluster health'],
      ['graph_category', 'cluster'],
      ['graph_info', 'Quorum, each node online / unclean / in standby / in maintenance, and each resource (a group as one) running as it should: 1 yes, 0 no. Every field alerts through munin-limits; its extinfo says what crm_mon said.'],
      ['graph_vlabel', '1 yes, 0 no'],
      ['graph_args', YES_NO_ARGS],
      ['graph_scale', 'no'],
      ['graph_printf', '%3.0lf'],
    ] as Array<[string, string]>,
  },
  location: {
    name: 'pacemaker.location',
    attributes: [
      ['graph_title', 'Where Pacemaker resources run'],
      ['graph_category', 'cluster'],
      ['graph_info', 'Per resource (a group as one) and node: 1 where it runs (a promotable clone: where it is promoted, and in its instance fields where an instance runs, promoted or not). A failover is a step from one node to the other.'],
      ['graph_vlabel', '1 runs there'],
      ['graph_args', YES_NO_ARGS],
      ['graph_scale', 'no'],
      ['graph_printf', '%3.0lf'],
    ] as Array<[string, string]>,
  },
  failures: {
    name: 'pacemaker.failures',
    attributes: [
      ['graph_title', 'Pacemaker fail counts and failed actions'],
      ['graph_category', 'cluster'],
      ['graph_info', "Per resource (a group's primitives added up) and node, the fail count from crm_mon's node history (INFINITY counts as 1000000); per resource, the failed actions crm_mon lists. Both stay until a cleanup."],
      ['graph_vlabel', 'failures'],
      ['graph_args', '--lower-limit 0'],
      ['graph_scale', 'no'],
      ['graph_printf', '%7.0lf'],
    ] as Array<[string, string]>,
  },
};

/** What the plugin keeps between runs: the nodes and resources seen, so their fields stay. */
interface Known {
  nodes: string[];
  resources: string[];
  /** The resources seen as promotable clones: their instance fields stay too. */
  promotable: string[];
}

// Kept in $MUNIN_PLUGSTATE: a resource that is stopped, deleted or unreadable keeps its fields
// (and so its alerts), and a field's name never changes when resources move.
export const KNOWN_FILE = 'lio-munin-pacemaker.json';

function loadKnown(state: PluginState): Known {
  const kept = state.load() as Partial<Known> | null;
  const strings = (list: unknown) => (Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : []);
  return { nodes: strings(kept?.nodes), resources: strings(kept?.resources), promotable: strings(kept?.promotable) };
}

function merge(known: Known, state: ClusterState | null): Known {
  const nodes = [...known.nodes];
  const resources = [...known.resources];
  const promotable = [...known.promotable];
  for (const node of state?.nodes ?? []) if (!nodes.includes(node.name)) nodes.push(node.name);
  for (const resource of state?.resources ?? []) {
    if (!resources.includes(resource.id)) resources.push(resource.id);
    if (resource.promotable && !promotable.includes(resource.id)) promotable.push(resource.id);
  }
  return { nodes, resources, promotable };
}

export function crmMonSettings(env: NodeJS.ProcessEnv): { path: string; timeoutS: number; env: Record<string, string | undefined> } {
  const timeout = Number(env.crm_mon_timeout);
  // CIB_file (a saved CIB instead of the live cluster) is passed on as crm_mon reads it.
  return { path: env.crm_mon || DEFAULT_CRM_MON, timeoutS: timeout > 0 ? timeout : DEFAULT_CRM_MON_TIMEOUT_S, env: { CIB_file: env.CIB_file } };
}

function read(env: NodeJS.ProcessEnv): CrmMonRead {
  const { path, timeoutS, env: extra } = crmMonSettings(env);
  return readCrmMon(path, timeoutS, extra);
}

/** 1 when it runs as it should, 0 when stopped or failed; null when crm_mon did not say. */
function runningValue(resource: ClusterResource): string | null {
  const { primitives } = resource;
  if (primitives.some((p) => p.active === null || p.failed === null)) return null;
  if (primitives.some((p) => p.failed)) return '0';
  // A group runs when all of its primitives do; a clone when an instance does (promoted, if promotable).
  const running = resource.kind === 'clone' || resource.kind === 'bundle' ? runsOn(resource).size > 0 : primitives.length > 0 && primitives.every((p) => p.active);
  return running ? '1' : '0';
}

export function pacemakerPlugin(env: NodeJS.ProcessEnv): Plugin<Graph[]> {
  return {
    autoconf() {
      const reading = read(env);
      if (reading.ok) return 'yes';
      if (reading.absent) return 'no (crm_mon not found: no Pacemaker here)';
      return `no (${reading.refused ? `${reading.reason}: crm_mon needs user root or group haclient` : reading.reason})`;
    },
    graph(withValues, withConfig = true) {
      const reading = read(env);
      const kept = new PluginState(env, KNOWN_FILE);
      const state = reading.ok ? reading.state : null;
      const known = merge(loadKnown(kept), state);
      if (!reading.ok) {
        if (known.nodes.length === 0 && known.resources.length === 0) {
          if (!reading.absent) warn(reading.reason);
          return [{ name: GRAPHS.health.name, attributes: GRAPHS.health.attributes, fields: [] }];
        }
        warn(`${reading.reason}; the values are U`);
      }
      const problem = state ? kept.save(known, 'the node and resource list') : undefined;
      if (problem) warn(problem);
      const settings = { ...env };
      const context: Context = {
        state,
        problem: reading.ok ? undefined : reading.reason,
        known,
        withValues,
        withConfig,
        settings,
        ranges: withConfig ? new AlertRanges(settings, RANGES, /^(quorum|node_\w+|rsc_\w+)$/) : undefined,
        preferred: settings.preferred_node?.trim() || undefined,
        names: nameFields(known),
        fields: new FieldNames(MAX_PACEMAKER_FIELD),
      };
      if (state) for (const line of unknownValues(state)) warn(line);
      return [
        { name: GRAPHS.health.name, attributes: GRAPHS.health.attributes, fields: healthFields(context) },
        { name: GRAPHS.location.name, attributes: GRAPHS.location.attributes, fields: locationFields(context) },
        { name: GRAPHS.failures.name, attributes: GRAPHS.failures.attributes, fields: failureFields(context) },
      ];
    },
  };
}

interface Context {
  state: ClusterState | null;
  problem?: string;
  known: Known;
  withValues: boolean;
  withConfig: boolean;
  settings: Record<string, string | undefined>;
  ranges?: AlertRanges;
  preferred?: string;
  /** The name part of each node and resource, unique among nodes and among resources. */
  names: { node: Map<string, string>; resource: Map<string, string> };
  /**
   * Every field's name, `node_NODE_KIND` or `rsc_RESOURCE_...` with the parts of names, made
   * unique in the whole plugin: joined, two different fields can still spell the same name (a
   * promotable clone X's `rsc_X_instance_on_N` is the location field of a resource X_instance on
   * N; a node called `a_on_b`), or one too long. In print order, nodes and resources in the order
   * first seen (kept): the one seen first keeps the plain name, and names never change.
   */
  fields: FieldNames;
}

/**
 * The longest field name: the RRD file `<host>-pacemaker-location-<field>-g.rrd` (or
 * `-failures-`) stays within 255 bytes with a host name of up to 80 characters.
 */
const MAX_PACEMAKER_FIELD = 255 - 80 - '-pacemaker-location-'.length - '-g.rrd'.length;

/** Name parts in the order first seen (kept), so that names never change. */
function nameFields(known: Known): Context['names'] {
  const nodeNames = new FieldNames();
  const resourceNames = new FieldNames();
  return {
    node: new Map(known.nodes.map((n) => [n, nodeNames.next(cleanName(n) || 'node', `node ${n}`)])),
    resource: new Map(known.resources.map((r) => [r, resourceNames.next(cleanName(r) || 'resource', `resource ${r}`)])),
  };
}

/** A stderr line for each value crm_mon printed that this plugin does not know (it shows as U). */
function unknownValues(state: ClusterState): string[] {
  const lines: string[] = [];
  for (const node of state.nodes) {
    if ([node.online, node.standby, node.maintenance, node.unclean].includes(null)) lines.push(`crm_mon's node ${node.said}: a flag that is neither true nor false: its field is U`);
  }
  for (const resource of state.resources) {
    if (resource.primitives.some((p) => p.active === null || p.failed === null)) lines.push(`crm_mon's resource ${resource.id}: active or failed is neither true nor false: its running field is U`);
  }
  return lines;
}

function field(context: Context, name: string, kind: string, label: string, info: string, value: string | null, extinfo: string | undefined): Field {
  const ranges = context.withConfig ? context.ranges!.of(kind, name) : {};
  return {
    name,
    label: context.withConfig ? label : '',
    type: 'GAUGE',
    info: context.withConfig ? info : undefined,
    min: context.withConfig ? 0 : undefined,
    warning: ranges.warning,
    critical: ranges.critical,
    // One line: what crm_mon printed may hold anything.
    extinfo: context.withConfig && extinfo ? oneLine(extinfo) : undefined,
    value: context.withValues ? value : null,
  };
}

/** Whitespace other than single spaces (a newline, a tab, two spaces). */
const NOT_ONE_LINE = /[^\S ]|  /;
/** Text with every run of whitespace made one space; tested first: most text has none. */
const oneLine = (text: string) => (NOT_ONE_LINE.test(text) ? text.replace(/\s+/g, ' ') : text);

const flag = (value: boolean | null | undefined) => (value === null || value === undefined ? null : value ? '1' : '0');

function* healthFields(context: Context): Generator<Field> {
  const { state } = context;
  const noState = context.problem ?? 'not read';
  const dcSaid = state ? (state.quorum === null ? 'crm_mon names no DC, so no quorum state' : `partition ${state.quorum ? 'with' : 'WITHOUT'} quorum, DC ${state.dc}`) : noState;
  yield field(context, context.fields.next('quorum', 'quorum'), 'quorum', 'quorum', '1 this partition has quorum, 0 not: critical.', state ? flag(state.quorum) : null, dcSaid);
  for (const name of context.known.nodes) {
    const node = state?.nodes.find((n) => n.name === name);
    const part = context.names.node.get(name)!;
    const gone = state && !node;
    for (const { kind, label, info } of NODE_KINDS) {
      // A node seen before that crm_mon does not list any more: offline (critical).
      const value = node ? flag(node[kind]) : gone ? (kind === 'online' ? '0' : null) : null;
      const said = node ? node.said : gone ? `${name} is not in the cluster now (it was before); remove ${KNOWN_FILE} from the plugin state directory if it was removed on purpose` : noState;
      yield field(context, context.fields.next(`node_${part}_${kind}`, `node ${name} ${kind}`), kind, `node ${name} ${label}`, info, value, said);
    }
  }
  for (const id of context.known.resources) {
    const resource = state?.resources.find((r) => r.id === id);
    const name = context.fields.next(`rsc_${context.names.resource.get(id)!}_running`, `resource ${id} running`);
    const info = '1 running as it should (a group: all of its primitives; a clone: an instance, the promoted one if promotable), 0 stopped or failed: critical, unless disabled on purpose (target-role Stopped).';
    if (!resource) {
      const said = state ? `${id} is not in the cluster configuration now (it was before); remove ${KNOWN_FILE} from the plugin state directory if it was removed on purpose` : noState;
      yield field(context, name, 'running', `${id} running`, info, state ? '0' : null, said);
      continue;
    }
    // What crm_mon said is for a config only (a plain fetch prints names and values).
    const f = field(context, name, 'running', `${id} running`, info, runningValue(resource), context.withConfig ? resourceSaid(resource, state!) : undefined);
    // Stopped on purpose: nothing to alert on.
    if (resource.disabled) f.critical = undefined;
    yield f;
  }
}

function* locationFields(context: Context): Generator<Field> {
  const { state, preferred } = context;
  for (const id of context.known.resources) {
    const resource = state?.resources.find((r) => r.id === id);
    const where = resource ? runsOn(resource) : new Set<string>();
    const promotable = resource?.promotable ?? context.known.promotable.includes(id);
    // A plain clone runs everywhere: being on another node is no failover.
    const failsOver = !resource || resource.kind !== 'clone' || resource.promotable;
    const nodeList = (nodes: Set<string>) => (nodes.size ? [...nodes].join(', ') : 'no node');
    let resourceText: string | undefined;
    const said = (what: string) => (!state ? (context.problem ?? 'not read') : resource ? `${what}; ${(resourceText ??= resourceSaid(resource, state))}` : `${id} is not in the cluster configuration now`);
    const part = `rsc_${context.names.resource.get(id)!}`;
    for (const node of context.known.nodes) {
      const name = context.fields.next(`${part}_on_${context.names.node.get(node)!}`, `resource ${id} on node ${node}`);
      const elsewhere = preferred !== undefined && node !== preferred && failsOver;
      const info = `1 where ${id} runs${promotable ? ' promoted' : ''}, 0 not.${elsewhere ? ` ${node} is not the preferred node (env.preferred_node ${preferred}): warning.` : ''}`;
      const extinfo = context.withConfig ? said(`${id} ${promotable ? 'is promoted' : 'runs'} on ${nodeList(where)}${preferred ? ` (preferred node ${preferred})` : ''}`) : undefined;
      yield field(context, name, elsewhere ? 'elsewhere' : 'location', `${id} on ${node}`, info, state ? (where.has(node) ? '1' : '0') : null, extinfo);
    }
    if (!promotable) continue;
    // Where a promotable clone runs at all (e.g. DRBD's Secondary, the Unpromoted instance):
    // both nodes normally, so no alert of its own.
    const instances = resource ? instancesOn(resource) : new Set<string>();
    for (const node of context.known.nodes) {
      const name = context.fields.next(`${part}_instance_on_${context.names.node.get(node)!}`, `resource ${id} instance_on node ${node}`);
      const info = `1 where an instance of ${id} runs, promoted or not, 0 not.`;
      const extinfo = context.withConfig ? said(`${id} instances run on ${nodeList(instances)}`) : undefined;
      yield field(context, name, 'location', `${id} instance on ${node}`, info, state ? (instances.has(node) ? '1' : '0') : null, extinfo);
    }
  }
}

function* failureFields(context: Context): Generator<Field> {
  const { state } = context;
  for (const id of context.known.resources) {
    const resource = state?.resources.find((r) => r.id === id);
    const part = `rsc_${context.names.resource.get(id)!}`;
    const ids = new Set(resource?.primitives.map((p) => p.id) ?? [id]);
    for (const node of context.known.nodes) {
      let count = 0;
      const said: string[] = [];
      for (const primitive of ids) {
        const entry = state?.failCounts.get(primitive)?.get(node);
        if (entry) {
          count += entry.count;
          said.push(entry.said);
        }
      }
      const extinfo = state ? (said.length ? said.join('; ') : `no fail count for ${id} on ${node}`) : (context.problem ?? 'not read');
      yield field(context, context.fields.next(`${part}_failcount_${context.names.node.get(node)!}`, `resource ${id} failcount node ${node}`), 'failcount', `${id} fail count on ${node}`, 'Failures of the resource (a group: of its primitives) on the node since the last cleanup: warning above 0.', state ? String(count) : null, extinfo);
    }
    const failures = state?.failures.filter((f) => ids.has(f.resource)) ?? [];
    const extinfo = state ? (failures.length ? failures.map((f) => f.said).join('; ') : `no failed action of ${id}`) : (context.problem ?? 'not read');
    yield field(context, context.fields.next(`${part}_failed`, `resource ${id} failed`), 'failed', `${id} failed actions`, "Failed actions crm_mon lists for the resource (a group: its primitives), on any node, until a cleanup.", state ? String(failures.length) : null, extinfo);
  }
}
