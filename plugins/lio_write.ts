/*
=head1 NAME

lio_write - Munin plugin: bytes written to LIO (Linux SCSI target) LUNs, per second

=head1 APPLICABLE SYSTEMS

Linux hosts that export LUNs through LIO, the kernel's SCSI target
(target_core_mod), with configfs mounted. Every fabric directory with
TPGs is read (iscsi, loopback, vhost, qla2xxx, srpt, ...), with every
target (iqn., naa., eui., FC WWPNs) and every TPG. The plugin is a
single Node.js program (Node 20 or later) that loads only Node's
built-in modules.

C<autoconf> answers C<yes> when some target exports a LUN, otherwise
C<no> with the reason.

=head1 CONFIGURATION

Settings go in F</etc/munin/plugin-conf.d/lio-munin>. The default
needs none:

  [lio_*]
  env.target_root /sys/kernel/config/target

=over 4

=item C<env.target_root>

The LIO configfs root. Default: F</sys/kernel/config/target>.

=back

After a change, restart munin-node. Check the plugin the way
munin-node runs it: C<munin-run lio_write config>, C<munin-run lio_write>,
C<munin-run lio_write autoconf>.

=head1 INTERPRETATION

Category C<san>. Bytes written are the bytes received from initiators. For every TPG there is one field per LUN,
all initiators together, from
F<lun/lun_N/statistics/scsi_tgt_port/write_mbytes>, and one field
per initiator and mapped LUN, from
F<acls/INITIATOR/lun_M/statistics/scsi_auth_intr/write_mbytes>.

The kernel counts cumulative MiB. The fields are C<DERIVE> with
C<min 0>, and C<cdef NAME,1048576,*> turns MiB into bytes, so the
graph shows bytes per second. A counter that goes backwards (a
failover to the other node, a reboot, a 32-bit wrap) gives one
unknown sample, never a spike.

Field names are those of the original lio_write shell plugin, so its
RRD history continues: the target name and the LUN directory for a
LUN's total (e.g. C<iqn2016_09comexampleiscsitgt01lun_0>, label
"iscsitgt01 (lun_0)"), the target, initiator and LUN for an
initiator's mapped LUN (label "iscsitgt01 - initiator01 (lun_0)").
Target and initiator names are lowercased, C<-> becomes C<_> and
every other character outside C<[a-z0-9_]> is dropped. A TPG other
than C<tpgt_1> adds its directory name after the target; a name that
starts with a digit (an FC WWPN) gets a leading C<_>. When two
objects clean to the same name, the first in path order keeps it and
the others get C<_> and 8 hex digits of a hash of their configfs
path; a name longer than 160 characters is cut and given the same
kind of suffix. The same tree always gives the same names, on both
nodes of a failover pair.

Without configfs, C<autoconf> answers C<no (reason)>, C<config>
prints the graph title and no fields, and a fetch prints nothing; the
exit code is 0. A statistics file that cannot be read (ENODEV,
EACCES, an empty read, a FIFO or a device in its place; no read
waits) gives C<U> for its field and one line on
stderr (munin-node's log); every other field keeps its value.

With C<MUNIN_CAP_DIRTYCONFIG=1> (set by munin-node 2.0.x when the
master supports it), C<config> prints the values too.

=head1 MAGIC MARKERS

Read by munin-node-configure:

 #%# family=auto
 #%# capabilities=autoconf

=head1 BUGS

The kernel counts whole MiB, so rates below 1 MiB per interval show
as steps.

A configfs directory that cannot be listed (EACCES, EIO) gives one
warning line on stderr. The plugin keeps the listings of every
F<lun/>, F<acls/> and F<acls/INITIATOR/> directory in
C<$MUNIN_PLUGSTATE> (F<lio-munin-lio-listings.json>), so the fields
below such a directory keep their names and print C<U>; only when it
was never listed before (or there is no state directory) are they
left out of that run, and the warning says so.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { lioPlugin } from './graphs/lio.js';

main(lioPlugin('write', process.env));
