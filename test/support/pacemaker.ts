// Cluster states made by Pacemaker's real tools (Debian's pacemaker-cli-utils), no cluster
// running: a CIB written here is brought up and changed with crm_simulate (--node-up,
// --node-fail, --op-inject, --simulate --save-output), crm_attribute and cibadmin on CIB_file,
// and read back by the real crm_mon through CIB_file. crm_simulate runs under faketime, so that
// the times it records (last-rc-change, last-failure) are the same on every run.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { frozenClockEnv } from './faketime.js';

export const CRM_MON = '/usr/sbin/crm_mon';
/** When crm_simulate's first transition runs (2026-01-01 00:00:00 UTC): the times in the states. */
export const SIMULATED_AT = '2026-01-01 00:00:00';

/**
 * Two nodes, node1 and node2, node2 the DC (so crm_mon can say whether there is quorum), no
 * fencing; the iSCSI target group g_tgt (an IP address and the target) prefers node1, as in the
 * seed's rule; cl_ping, a plain clone, runs on both.
 */
export const BASE_CIB = `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" dc-uuid="2">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
        <nvpair id="opt-quorum" name="no-quorum-policy" value="stop"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="node1"/>
      <node id="2" uname="node2"/>
    </nodes>
    <resources>
      <group id="g_tgt">
        <primitive id="p_ip" class="ocf" provider="heartbeat" type="IPaddr2">
          <instance_attributes id="p_ip-ia"><nvpair id="p_ip-ip" name="ip" value="192.0.2.10"/></instance_attributes>
          <operations><op id="p_ip-mon" name="monitor" interval="10s"/></operations>
        </primitive>
        <primitive id="p_target" class="ocf" provider="heartbeat" type="iSCSITarget">
          <operations><op id="p_target-mon" name="monitor" interval="10s"/></operations>
        </primitive>
      </group>
      <clone id="cl_ping">
        <primitive id="p_ping" class="ocf" provider="pacemaker" type="ping">
          <operations><op id="p_ping-mon" name="monitor" interval="10s"/></operations>
        </primitive>
      </clone>
    </resources>
    <constraints>
      <rsc_location id="loc-g_tgt" rsc="g_tgt" node="node1" score="100"/>
    </constraints>
  </configuration>
  <status/>
</cib>
`;

function tool(command: string, args: string[], env: Record<string, string> = {}, at = SIMULATED_AT): string {
  const run = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', ...env, ...frozenClockEnv(at) }, timeout: 60_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${run.status}: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

/** A cluster state file in dir, world-readable (munin-run runs plugins as nobody). */
export class ClusterStates {
  constructor(readonly dir: string) {}

  path(name: string): string {
    return join(this.dir, `${name}.xml`);
  }

  /** Both nodes up with quorum, and crm_simulate's transition run: g_tgt on node1, cl_ping on both. */
  healthy(name = 'healthy'): string {
    writeFileSync(this.path('base'), BASE_CIB);
    return this.simulate('base', name, ['--quorum', 'true', '--node-up', 'node1', '--node-up', 'node2']);
  }

  /** from, with crm_simulate's changes (e.g. --node-fail node1) and the cluster's answer to them. */
  simulate(from: string, name: string, changes: string[], at = SIMULATED_AT): string {
    tool('crm_simulate', ['--xml-file', this.path(from), '--simulate', '--save-output', this.path(name), ...changes], {}, at);
    chmodSync(this.path(name), 0o644);
    return this.path(name);
  }

  /**
   * A copy of from changed by tools working on CIB_file (crm_attribute, cibadmin), one command
   * after the other, then simulated.
   */
  edit(from: string, name: string, command: string, args: string[], at = SIMULATED_AT): string {
    return this.edits(from, name, [[command, args]], at);
  }

  edits(from: string, name: string, commands: Array<[string, string[]]>, at = SIMULATED_AT): string {
    const edited = `${name}-edited`;
    copyFileSync(this.path(from), this.path(edited));
    for (const [command, args] of commands) tool(command, args, { CIB_file: this.path(edited) }, at);
    return this.simulate(edited, name, [], at);
  }

  /**
   * What `crm_resource --cleanup` does to a resource's failure on a node, done with cibadmin:
   * crm_resource skips the clean-up on a CIB_file ("Dry run"). The node's fail count and last
   * failure attributes and the failed operation's record are deleted.
   */
  cleanup(from: string, name: string, nodeId: string, resource: string, operation: string, at = SIMULATED_AT): string {
    const attribute = (kind: string) => `<nvpair id="${nodeId}-${kind}-${resource}.${operation}"/>`;
    return this.edits(
      from,
      name,
      [
        ['cibadmin', ['--delete', '--xml-text', attribute('fail-count')]],
        ['cibadmin', ['--delete', '--xml-text', attribute('last-failure')]],
        ['cibadmin', ['--delete', '--xml-text', `<lrm_rsc_op id="${resource}_last_failure_0"/>`]],
      ],
      at,
    );
  }
}

/** What the real crm_mon prints for a state file. */
export function crmMon(cibFile: string): string {
  const run = spawnSync(CRM_MON, ['--output-as=xml'], { encoding: 'utf8', env: { ...process.env, CIB_file: cibFile, LC_ALL: 'C' } });
  if (run.status !== 0) throw new Error(`crm_mon exited with ${run.status}: ${run.stderr}`);
  return run.stdout;
}
