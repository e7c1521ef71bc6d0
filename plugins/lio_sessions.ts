/*
=head1 NAME

lio_sessions - Munin plugin: iSCSI sessions per LIO target, and which initiators are logged in, with alerts

=head1 APPLICABLE SYSTEMS

Linux hosts that export LUNs through LIO's iSCSI target
(iscsi_target_mod), with configfs mounted. Every iSCSI target and
every TPG is read; other fabrics (loopback, vhost, FC) have no iSCSI
sessions and are left out. The plugin is a single Node.js program
(Node 20 or later) that loads only Node's built-in modules.

C<autoconf> answers C<yes> when an iSCSI target with the kernel's iSCSI
statistics (F<fabric_statistics>) exists, otherwise C<no> with the
reason.

=head1 CONFIGURATION

Settings go in F</etc/munin/plugin-conf.d/lio-munin>. The default
needs none:

  [lio_*]
  env.target_root /sys/kernel/config/target

Alert ranges are changed in a file of your own that sorts after
F<lio-munin> (e.g. F<zz-lio-munin-local>):

  [lio_sessions]
  env.sessions_critical 1:                         # every target: at least one session
  env.iqn2016_09comexampleiscsitgt01_critical 4:  # this target: at least four
  env.loggedin_warning off                         # no alert when an initiator logs out
  env.iqn2016_09comexamplelaptop_warning off      # ... or for this initiator only

=over 4

=item C<env.target_root>

The LIO configfs root. Default: F</sys/kernel/config/target>.

=item C<env.sessions_warning>, C<env.sessions_critical>

The range of every target's number of sessions. Default: none (a
target may have no session). C<1:> alerts when a target has no
session; C<N:> when it has fewer than N.

=item C<env.loggedin_warning>, C<env.loggedin_critical>

The range of every initiator's logged-in field. Default: warning
C<1:> (an initiator with an ACL that is not logged in); C<off>
switches it off.

=item C<env.FIELD_warning>, C<env.FIELD_critical>

The range of one field, by its name as C<munin-run lio_sessions config>
prints it; wins over the kind's. A target's field is in the overview;
an initiator's field has the same name on every target it has an ACL
on, so one setting covers an initiator that comes and goes everywhere.

=back

After a change, restart munin-node. Check the plugin the way
munin-node runs it: C<munin-run lio_sessions config>,
C<munin-run lio_sessions>.

=head1 INTERPRETATION

Category C<san>. A multigraph plugin:

=over 4

=item C<lio_sessions>

One line per iSCSI target: its number of sessions, from
F<iscsi/TARGET/fabric_statistics/iscsi_instance/sessions>. The field
is the target's name cleaned as in C<lio_read> (e.g.
C<iqn2016_09comexampleiscsitgt01>). Its C<extinfo> lists the
initiators logged in and those not, so that an alert names them.

=item C<lio_sessions.TARGET>

One graph per target (TARGET is the part of its name after the first
C<:>, cleaned): 1 where an initiator with an ACL is logged in, 0 where
not, from F<tpgt_T/acls/INITIATOR/info> ("No active iSCSI Session
for Initiator Endpoint" or the session's description). The field is
the initiator's name cleaned (plus the TPG when it is not
C<tpgt_1>); its C<extinfo> says where the initiator is logged in
from (the addresses of its connections). A TPG in demo mode
(C<attrib/generate_node_acls> 1) adds C<dynamic>: the number of
initiators logged in without an ACL, from F<dynamic_sessions>.

=back

Field names depend only on the names of targets and initiators, never
on their state or on the order the tree was rebuilt in after a
failover. On the passive node of a failover pair the targets do not
exist: the plugin then prints no fields, and nothing alerts.

A file that cannot be read gives C<U> for its field and one line on
stderr (munin-node's log). An F<acls/> directory that cannot be
listed gives one line; the plugin keeps the last listing in
C<$MUNIN_PLUGSTATE> (F<lio-munin-iscsi-listings.json>), so its
initiators keep their fields, with C<U>.

=head1 MAGIC MARKERS

Read by munin-node-configure:

 #%# family=auto
 #%# capabilities=autoconf

=head1 BUGS

An initiator that logs in to a TPG in demo mode has no ACL and so no
field of its own: it is counted in C<dynamic>.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { lioSessionsPlugin } from './graphs/iscsi.js';

main(lioSessionsPlugin(process.env));
