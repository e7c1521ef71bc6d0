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

/** A CIB of two nodes, node1 and node2, node2 the DC (so crm_mon can say whether there is quorum), no fencing. */
const twoNodeCib = (resources: string, constraints: string) => `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" dc-uuid="2">
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
${resources}
    </resources>
    <constraints>
${constraints}
    </constraints>
  </configuration>
  <status/>
</cib>
`;

/** The iSCSI target group: an IP address and the target. */
const G_TGT = `      <group id="g_tgt">
        <primitive id="p_ip" class="ocf" provider="heartbeat" type="IPaddr2">
          <instance_attributes id="p_ip-ia"><nvpair id="p_ip-ip" name="ip" value="192.0.2.10"/></instance_attributes>
          <operations><op id="p_ip-mon" name="monitor" interval="10s"/></operations>
        </primitive>
        <primitive id="p_target" class="ocf" provider="heartbeat" type="iSCSITarget">
          <operations><op id="p_target-mon" name="monitor" interval="10s"/></operations>
        </primitive>
      </group>`;

/** g_tgt prefers node1, as in the seed's rule; cl_ping, a plain clone, runs on both. */
export const BASE_CIB = twoNodeCib(
  `${G_TGT}
      <clone id="cl_ping">
        <primitive id="p_ping" class="ocf" provider="pacemaker" type="ping">
          <operations><op id="p_ping-mon" name="monitor" interval="10s"/></operations>
        </primitive>
      </clone>`,
  '      <rsc_location id="loc-g_tgt" rsc="g_tgt" node="node1" score="100"/>',
);

/**
 * DRBD under the target, as the seed's clusters run it: ms_drbd, a promotable clone of p_drbd
 * (DRBD's agent, ocf:linbit:drbd; crm_simulate runs no agent), promoted on one node (DRBD
 * Primary) and unpromoted on the other (Secondary); g_tgt runs where ms_drbd is promoted, after
 * the promotion. The promotion scores DRBD's agent gives an UpToDate node (crm_master) are
 * location scores for the Promoted role here: node1 100, node2 50.
 */
export const PROMOTABLE_CIB = twoNodeCib(
  `      <clone id="ms_drbd">
        <meta_attributes id="ms_drbd-meta">
          <nvpair id="ms_drbd-promotable" name="promotable" value="true"/>
          <nvpair id="ms_drbd-promoted-max" name="promoted-max" value="1"/>
          <nvpair id="ms_drbd-notify" name="notify" value="true"/>
        </meta_attributes>
        <primitive id="p_drbd" class="ocf" provider="linbit" type="drbd">
          <instance_attributes id="p_drbd-ia"><nvpair id="p_drbd-res" name="drbd_resource" value="r0"/></instance_attributes>
          <operations>
            <op id="p_drbd-mon-p" name="monitor" interval="29s" role="Promoted"/>
            <op id="p_drbd-mon-u" name="monitor" interval="31s" role="Unpromoted"/>
          </operations>
        </primitive>
      </clone>
${G_TGT}`,
  `      <rsc_location id="loc-ms_drbd-node1" rsc="ms_drbd" role="Promoted" node="node1" score="100"/>
      <rsc_location id="loc-ms_drbd-node2" rsc="ms_drbd" role="Promoted" node="node2" score="50"/>
      <rsc_colocation id="col-g_tgt" rsc="g_tgt" with-rsc="ms_drbd" with-rsc-role="Promoted" score="INFINITY"/>
      <rsc_order id="ord-g_tgt" first="ms_drbd" first-action="promote" then="g_tgt" then-action="start"/>`,
);

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

  /**
   * Both nodes up with quorum, and crm_simulate's transition run: of BASE_CIB, g_tgt on node1 and
   * cl_ping on both; of PROMOTABLE_CIB, ms_drbd promoted on node1 and unpromoted on node2.
   */
  healthy(name = 'healthy', cib = BASE_CIB): string {
    writeFileSync(this.path(`${name}-base`), cib);
    return this.simulate(`${name}-base`, name, ['--quorum', 'true', '--node-up', 'node1', '--node-up', 'node2']);
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
