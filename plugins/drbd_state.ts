/*
=head1 NAME

drbd_state - Munin plugin: DRBD replication health per device, with alerts

=head1 APPLICABLE SYSTEMS

Linux hosts running DRBD 8 (F</proc/drbd>, DRBD 0.7 to 8.4) or DRBD 9
(C<drbdsetup events2>), typically both nodes of a failover pair. The
plugin is a single Node.js program (Node 20 or later) that loads only
Node's built-in modules.

C<autoconf> answers C<yes> when a DRBD device is configured, otherwise
C<no> with the reason.

=head1 CONFIGURATION

Settings go in F</etc/munin/plugin-conf.d/lio-munin>, in the section
of the drbd plugins. On DRBD 8 the defaults need nothing:

  [drbd*]
  user root                           # DRBD 9 only
  env.drbd_proc /proc/drbd
  env.drbdsetup /usr/sbin/drbdsetup
  env.drbdsetup_timeout 5
  env.drbd_events2 /path/to/file

These are the settings of the other drbd plugins (see C<munindoc drbd>).
On DRBD 9 drbdsetup needs C<user root>, as for them.

Alert ranges are changed in a file of your own that sorts after
F<lio-munin> (e.g. F<zz-lio-munin-local>), under C<[drbd_state]>:

  [drbd_state]
  env.connected_critical 1:          # every connected field
  env.drbd0synced_warning off        # no resync alert for drbd0
  env.drbd3disk_critical 0.5:        # one field
  env.drbd0_resource r0              # DRBD 8: name minor 0 in labels

=over 4

=item C<env.KIND_warning>, C<env.KIND_critical>

The range of every field of that kind: C<connected>, C<disk>,
C<peerdisk>, C<primary>, C<quorum>, C<suspended>, C<synced>, C<eta>,
C<oos>. A range is C<min:max>, C<min:>, C<:max> or C<max>; C<off>
switches the alert off.

=item C<env.FIELD_warning>, C<env.FIELD_critical>

The range of one field (e.g. C<drbd0connected>); wins over the kind's.

=item C<env.drbdN_resource>

DRBD 8: the resource name shown in the labels of minor N
(F</proc/drbd> does not say it; DRBD 9 does).

=back

After a change, restart munin-node. Check the plugin the way
munin-node runs it: C<munin-run drbd_state config>,
C<munin-run drbd_state>.

=head1 INTERPRETATION

Category C<disk>. A multigraph plugin: C<drbd_state> (health, 1 where
all is well), C<drbd_state.role> (primary, suspended I/O),
C<drbd_state.resync> (percent done), C<drbd_state.resync_time>
(seconds left) and C<drbd_state.out_of_sync> (bytes). Fields are
named C<drbd>, the minor, on DRBD 9 with several peers the peer's
connection name (as in the C<drbd> plugin), and the kind. Field names
depend only on the devices and peers, never on their state. Default
alerts:

=over 4

=item C<drbdNconnected>

1 connected, 0 not (StandAlone, WFConnection, Connecting, ...).
Critical below 1.

=item C<drbdNdisk>, C<drbdNpeerdisk>

The local and the peer disk: 1 UpToDate; 0.5 degraded (Inconsistent,
Outdated, Consistent, DUnknown, Attaching, Negotiating, Detaching);
0 Failed, or Diskless where a disk is expected (a DRBD 9 diskless
client counts as 1). Warning below 1, critical below 0.5.

=item C<drbdNprimary>

1 Primary, 0 Secondary. No alert.

=item C<drbdNquorum>, C<drbdNsuspended>

DRBD 9: quorum held (critical below 1), I/O suspended (critical
above 0).

=item C<drbdNsynced>, C<drbdNeta>, C<drbdNoos>

Resync done in percent (100 when none runs; warning below 100), the
kernel's estimate of the time left in seconds (0 when none), and the
data out of sync in bytes.

=back

Each field's C<extinfo> says what the kernel said, e.g.
C<cs:StandAlone ro:Primary/Unknown ds:UpToDate/DUnknown>, so that the
alert mail explains itself. A state word this plugin does not know (a
newer DRBD) gives C<U> and a line on stderr, never a value that passes
for healthy. Devices and peers seen before are remembered in
F<$MUNIN_PLUGSTATE/lio-munin-drbd-state.json>: a device that is not
configured any more keeps its fields, with connected and disk 0
(critical); when its source cannot be read, its values are C<U>.

=head1 MAGIC MARKERS

Read by munin-node-configure:

 #%# family=auto
 #%# capabilities=autoconf

=head1 BUGS

A resource removed on purpose keeps alerting until its entry is
removed from F<lio-munin-drbd-state.json> in the plugin state
directory.

DRBD 8's F</proc/drbd> gives no resource names: set
C<env.drbdN_resource> for labels that name them.

DRBD 0.7 prints the local disk state only (C<ld:>), and knew no
UpToDate: its C<Consistent> counts as up to date, and there is no
peer disk field.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { drbdStatePlugin } from './graphs/drbd-state.js';

main(drbdStatePlugin(process.env));
