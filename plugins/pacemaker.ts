/*
=head1 NAME

pacemaker - Munin plugin: Pacemaker cluster health, where resources run, failures, with alerts

=head1 APPLICABLE SYSTEMS

Both nodes of a Pacemaker cluster (Pacemaker 2.0.3 and later,
C<crm_mon --output-as=xml --exclude=operations>; Pacemaker 1.1,
C<crm_mon --as-xml>, is used when the first is refused). The
plugin is a single Node.js program (Node 20 or later) that loads only Node's
built-in modules.

C<autoconf> answers C<yes> when crm_mon gives the cluster state, otherwise
C<no> with the reason (no crm_mon, no cluster running, not allowed).

=head1 CONFIGURATION

Settings go in F</etc/munin/plugin-conf.d/lio-munin>, where the installer
writes them when crm_mon is present:

  [pacemaker]
  group haclient                  # crm_mon talks to the cluster's daemons
  env.crm_mon /usr/sbin/crm_mon
  env.crm_mon_timeout 5
  env.preferred_node node1        # where the resources run normally

C<group haclient> (or C<user root>): crm_mon reads the cluster state over
Pacemaker's IPC, open to root and the haclient group only; the installer
writes C<group haclient>, so that the plugin runs as nobody in that group.
C<env.CIB_file> makes crm_mon read a saved CIB instead of the live
cluster (as crm_mon itself does), for tests.

Alert ranges are changed in a file of your own that sorts after
F<lio-munin> (e.g. F<zz-lio-munin-local>), under C<[pacemaker]>:

  [pacemaker]
  env.standby_warning off                 # no warning for standby
  env.rsc_g_tgt_failcount_node1_warning 3 # one field

=over 4

=item C<env.KIND_warning>, C<env.KIND_critical>

The range of every field of that kind: C<quorum>, C<online>, C<unclean>,
C<standby>, C<maintenance>, C<running>, C<location>, C<elsewhere> (a location
field on a node other than the preferred one), C<failcount>, C<failed>. A
range is C<min:max>, C<min:>, C<:max> or C<max>; C<off> switches the alert
off.

=item C<env.FIELD_warning>, C<env.FIELD_critical>

The range of one field (e.g. C<node_node2_online>); wins over the kind's.

=item C<env.preferred_node>

The node where resources run normally. A resource or group running on
another node gives a warning (a plain clone, running everywhere, never does).

=back

After a change, restart munin-node. Check the plugin the way munin-node runs
it: C<munin-run pacemaker config>, C<munin-run pacemaker>.

=head1 INTERPRETATION

Category C<cluster>. A multigraph plugin: C<pacemaker> (health, 1 where
all is well but for the standby, maintenance and unclean flags),
C<pacemaker.location> (1 where each resource runs, a promotable clone where
it is promoted: a failover is a step)
and C<pacemaker.failures> (fail counts and failed actions). Node and
resource names are cleaned into field names (C<node_NODE_KIND>,
C<rsc_RESOURCE_...>); the first seen keeps the plain name. A field whose
name would be another's (a promotable clone X's C<rsc_X_instance_on_NODE>
and the location field of a resource C<X-instance>) or longer than 149
characters gets C<_> and 8 hex digits at the end; of two alike, the one
printed first keeps the plain name (nodes and resources in the order first
seen). A group counts
as one resource, its primitives' fail counts added up. Default alerts:

=over 4

=item C<quorum>

1 the partition has quorum: critical below 1. U when crm_mon names no DC.

=item C<node_NODE_online>, C<node_NODE_unclean>

Online (critical below 1), unclean, i.e. lost and to be fenced (critical
above 0).

=item C<node_NODE_standby>, C<node_NODE_maintenance>

In standby or in maintenance: warning above 0.

=item C<rsc_RESOURCE_running>

1 running as it should, 0 stopped or failed: critical below 1, unless
the resource is disabled on purpose (target-role Stopped).

=item C<rsc_RESOURCE_on_NODE>

1 where it runs (a promotable clone: where it is promoted, role
C<Promoted>, or C<Master> before Pacemaker 2.1). With
C<env.preferred_node>, warning above 0 on every other node.

=item C<rsc_RESOURCE_instance_on_NODE>

A promotable clone only: 1 where an instance runs, promoted or not
(C<Unpromoted>, or C<Slave>), e.g. DRBD's Secondary. No default alert.

=item C<rsc_RESOURCE_failcount_NODE>, C<rsc_RESOURCE_failed>

The fail count on the node (warning above 0), and the number of failed
actions crm_mon lists (no default alert).

=back

Each field's C<extinfo> says what crm_mon said (node flags, each
primitive's role and node, failure reason and time) so that the alert mail
explains itself. crm_mon missing, hanging (killed after
C<env.crm_mon_timeout> seconds), failing or printing XML this plugin does
not understand gives C<U> and one line on stderr, never values that pass for
healthy. Nodes and resources seen before are remembered in
F<$MUNIN_PLUGSTATE/lio-munin-pacemaker.json>, so their fields, and names,
stay: a resource deleted from the configuration shows as not running
(critical), a node crm_mon no longer lists as offline.

=head1 MAGIC MARKERS

Read by munin-node-configure:

 #%# family=auto
 #%# capabilities=autoconf

=head1 BUGS

A resource or node removed on purpose keeps alerting until its entry is
removed from F<lio-munin-pacemaker.json> in the plugin state directory.

Bundles are counted like clones; their replicas are not told apart.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { pacemakerPlugin } from './graphs/pacemaker.js';

main(pacemakerPlugin(process.env));
