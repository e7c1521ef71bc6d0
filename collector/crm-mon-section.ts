// The cluster state at the minute of a stats snapshot, after the DRBD entries: `[crm_mon]`, what
// `crm_mon --output-as=xml` said, as one line per fact rather than its XML, so that a person
// grepping the archive after an incident ("when did g_tgt move, and why") gets one line a minute
// per resource with where it ran, and the failed actions with their reason and time:
//
//   quorum 1 partition with quorum, DC node2
//   node node1 online=0 standby=0 maintenance=0 unclean=0 node1: OFFLINE
//   resource g_tgt running=1 on node2: group g_tgt: p_ip Started on node2; p_target Started on node2
//   failcount g_tgt node2 1: p_target fail-count 1 on node2, last failure Thu Jan  1 00:05:00 2026
//   failed g_tgt p_target_start_0 on node2: error (...), at 2026-01-01 00:05:00Z
//
// No crm_mon (no Pacemaker on this node): no entry, and nothing said.
import { CRM_MON_HEADER } from '../lib/archive/layout.js';
import { DEFAULT_CRM_MON, DEFAULT_CRM_MON_TIMEOUT_S, readCrmMon, resourceSaid, runsOn, type ClusterState } from '../lib/cluster/crm-mon.js';
import type { ExtraSection } from './drbd-section.js';

const bit = (value: boolean | null) => (value === null ? 'U' : value ? '1' : '0');

/** The entry's lines for a cluster state. */
export function clusterStateLines(state: ClusterState): string[] {
  const lines = [`quorum ${bit(state.quorum)} ${state.quorum === null ? 'no DC' : `partition ${state.quorum ? 'with' : 'WITHOUT'} quorum, DC ${state.dc}`}`];
  for (const node of state.nodes) {
    lines.push(`node ${node.name} online=${bit(node.online)} standby=${bit(node.standby)} maintenance=${bit(node.maintenance)} unclean=${bit(node.unclean)} ${node.said}`);
  }
  for (const resource of state.resources) {
    const where = [...runsOn(resource)];
    lines.push(`resource ${resource.id} on ${where.length ? where.join(',') : '-'}: ${resourceSaid(resource, state, false)}`);
  }
  for (const resource of state.resources) {
    const ids = new Set(resource.primitives.map((p) => p.id));
    const byNode = new Map<string, { count: number; said: string[] }>();
    for (const id of ids) {
      for (const [node, entry] of state.failCounts.get(id) ?? []) {
        const sum = byNode.get(node) ?? { count: 0, said: [] };
        sum.count += entry.count;
        sum.said.push(entry.said);
        byNode.set(node, sum);
      }
    }
    for (const [node, sum] of byNode) lines.push(`failcount ${resource.id} ${node} ${sum.count}: ${sum.said.join('; ')}`);
    for (const failure of state.failures.filter((f) => ids.has(f.resource))) lines.push(`failed ${resource.id} ${failure.said}`);
  }
  return lines;
}

/** The `[crm_mon]` entry; none where crm_mon is missing. crm_mon is killed after 5 s. */
export function crmMonSections(crmMon: string = DEFAULT_CRM_MON): ExtraSection[] {
  const read = readCrmMon(crmMon, DEFAULT_CRM_MON_TIMEOUT_S);
  if (read.ok) return [{ header: CRM_MON_HEADER, content: clusterStateLines(read.state).join('\n') + '\n' }];
  if (read.absent) return [];
  // The reason goes into the entry, not the log: on a node whose cluster stack is stopped it would
  // be a log line every minute, and "the cluster did not run on this node then" is an answer.
  return [{ header: CRM_MON_HEADER, content: `unavailable: ${read.reason}\n` }];
}
