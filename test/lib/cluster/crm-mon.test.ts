// crm_mon's XML for a promotable clone, as the real crm_mon (Pacemaker 2.1) prints it for states
// the real crm_simulate made, and with the role names Pacemaker 2.0 and 1.1 print (Master, Slave):
// the clone's instances, where it is promoted and where it runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { instancesOn, isPromoted, parseCrmMon, resourceSaid, runsOn, type ClusterResource } from '../../../lib/cluster/crm-mon.js';
import { ClusterStates, crmMon, PROMOTABLE_CIB } from '../../support/pacemaker.js';
import { tempDir } from '../../support/tmp.js';

const states = new ClusterStates(tempDir('lio-munin-crm-mon-'));

beforeAll(() => {
  states.healthy('healthy', PROMOTABLE_CIB);
  states.simulate('healthy', 'failover', ['--node-fail', 'node1'], '2026-01-01 00:05:00');
}, 60_000);

const oldRoleNames = (text: string) => text.replace(/role="Promoted"/g, 'role="Master"').replace(/role="Unpromoted"/g, 'role="Slave"');
const msDrbd = (xml: string): ClusterResource => parseCrmMon(xml).resources.find((r) => r.id === 'ms_drbd')!;
const instance = (role: string, nodes: string[], active = true) => ({ id: 'p_drbd', role, active, failed: false, nodes, targetRole: null });

describe('a promotable clone in crm_mon', () => {
  it('Pacemaker 2.1: promoted on node1, unpromoted on node2', () => {
    const xml = crmMon(states.path('healthy'));
    const resource = msDrbd(xml);
    expect(resource).toEqual({ id: 'ms_drbd', kind: 'clone', promotable: true, disabled: false, primitives: [instance('Promoted', ['node1']), instance('Unpromoted', ['node2'])] });
    expect(runsOn(resource)).toEqual(new Set(['node1']));
    expect(instancesOn(resource)).toEqual(new Set(['node1', 'node2']));
    expect(resourceSaid(resource, parseCrmMon(xml))).toBe('clone ms_drbd: p_drbd Promoted on node1, Unpromoted on node2');
  });

  it('after the failover: promoted on node2, the other instance stopped', () => {
    const resource = msDrbd(crmMon(states.path('failover')));
    expect(resource.primitives).toEqual([instance('Promoted', ['node2']), instance('Stopped', [], false)]);
    expect(runsOn(resource)).toEqual(new Set(['node2']));
    expect(instancesOn(resource)).toEqual(new Set(['node2']));
  });

  it('the older names, Master and Slave, read the same', () => {
    for (const [state, promoted, running] of [['healthy', ['node1'], ['node1', 'node2']], ['failover', ['node2'], ['node2']]] as const) {
      const resource = msDrbd(oldRoleNames(crmMon(states.path(state))));
      expect(resource.primitives.map((p) => p.role), state).toEqual(state === 'healthy' ? ['Master', 'Slave'] : ['Master', 'Stopped']);
      expect(runsOn(resource), state).toEqual(new Set(promoted));
      expect(instancesOn(resource), state).toEqual(new Set(running));
    }
  });

  it('isPromoted: Promoted and Master only', () => {
    expect(['Promoted', 'Master', 'Unpromoted', 'Slave', 'Started', 'Stopped', 'promoted'].map(isPromoted)).toEqual([true, true, false, false, false, false, false]);
  });

  it('a plain clone and a group run where their primitives are active', () => {
    const base = new ClusterStates(tempDir('lio-munin-crm-mon-base-'));
    const state = parseCrmMon(crmMon(base.healthy()));
    const [gTgt, clPing] = state.resources;
    expect([gTgt!.id, clPing!.id, clPing!.promotable]).toEqual(['g_tgt', 'cl_ping', false]);
    expect(runsOn(gTgt!)).toEqual(new Set(['node1']));
    expect(runsOn(clPing!)).toEqual(new Set(['node1', 'node2']));
    expect(instancesOn(clPing!)).toEqual(new Set(['node1', 'node2']));
  });
});
