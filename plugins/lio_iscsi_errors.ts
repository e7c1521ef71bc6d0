/*
=head1 NAME

lio_iscsi_errors - Munin plugin: iSCSI logins, login failures, logouts and errors per LIO target, with alerts

=head1 APPLICABLE SYSTEMS

Linux hosts that export LUNs through LIO's iSCSI target
(iscsi_target_mod), with configfs mounted. Every iSCSI target and
every TPG is read; other fabrics have no such statistics and are left
out. The plugin is a single Node.js program (Node 20 or later) that
loads only Node's built-in modules.

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

  [lio_iscsi_errors]
  env.negotiate_fails_warning off                   # every target
  env.iscsitgt01_authenticate_fails_warning :0.1    # one target
  env.conn_timeout_errors_warning off               # every initiator

=over 4

=item C<env.target_root>

The LIO configfs root. Default: F</sys/kernel/config/target>.

=item C<env.KIND_warning>, C<env.KIND_critical>

The range of every field of that kind, on every target: C<authorize_fails>,
C<authenticate_fails>, C<negotiate_fails>, C<other_fails>,
C<abnormal_logouts>, C<digest_errors>, C<cxn_errors>, C<format_errors>,
C<conn_digest_errors>, C<conn_timeout_errors> (default warning C<:0>:
any event) and C<accepts>, C<redirects>, C<normal_logouts> (no
default range). Values are events per second. C<off> switches an
alert off.

=item C<env.TARGET_FIELD_warning>, C<env.TARGET_FIELD_critical>

The range of one field of one target's graph (TARGET as in the graph's
name C<lio_iscsi_errors.TARGET>, FIELD as C<munin-run lio_iscsi_errors
config> prints it); wins over the kind's.

=item C<env.proc_uptime>

Where the time since boot is read, to turn the kernel's time of the
last failed login into a date. Default: F</proc/uptime>.

=back

After a change, restart munin-node. Check the plugin the way
munin-node runs it: C<munin-run lio_iscsi_errors config>,
C<munin-run lio_iscsi_errors>.

=head1 INTERPRETATION

Category C<san>. All fields are C<DERIVE> counters drawn as events per
minute; a counter that goes back (the module reloaded, a failover)
gives one unknown sample. A multigraph plugin:

=over 4

=item C<lio_iscsi_errors>

The overview, four lines per target, without alerts: logins
accepted, login failures (authorization, authentication, negotiation
and other), abnormal logouts and session errors (digest, connection,
format).

=item C<lio_iscsi_errors.TARGET>

One graph per target, with the alerts: C<accepts>,
C<authorize_fails>, C<authenticate_fails>, C<negotiate_fails>,
C<other_fails>, C<redirects> (from F<iscsi_login_stats>),
C<normal_logouts>, C<abnormal_logouts> (F<iscsi_logout_stats>),
C<digest_errors>, C<cxn_errors>, C<format_errors> (F<iscsi_sess_err>),
and for each initiator with an ACL C<INITIATOR_digest> and
C<INITIATOR_timeout>, the digest errors and connection timeouts of its
session (F<acls/INITIATOR/fabric_statistics/iscsi_sess_stats>; C<U>
while it has no session, the kernel prints nothing then). The
C<extinfo> of the login failure fields names the last initiator whose
login failed, its address, the kind of failure and when (from
F<iscsi_tgt_attr>), so that the alert mail says who.

=back

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

The kernel remembers only the last failed login of a target: with
several failing initiators, the alert names the latest.

The time of the last failed login is kept by the kernel in hundredths
of a second since boot, in 32 bits: after 497 days of uptime the date
shown is the latest that fits.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { lioIscsiErrorsPlugin } from './graphs/iscsi.js';

main(lioIscsiErrorsPlugin(process.env));
