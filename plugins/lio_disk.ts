/*
=head1 NAME

lio_disk - Munin plugin: throughput, commands, latency and utilization of LIO targets, with drill-down

=head1 APPLICABLE SYSTEMS

Linux hosts that export LUNs through LIO, the kernel's SCSI target
(target_core_mod), with configfs mounted, and a munin-node with
multigraph support (Munin 1.4 or later). Latency and utilization
need backstores on block devices (iblock, pscsi, fileio on a block
device). The plugin is a single Node.js program (Node 20 or later)
that loads only Node's built-in modules.

C<autoconf> answers C<yes> when some target exports a LUN and the node
supports multigraph, otherwise C<no> with the reason.

=head1 CONFIGURATION

Settings go in F</etc/munin/plugin-conf.d/lio-munin>. The defaults
need none:

  [lio_disk]
  env.target_root /sys/kernel/config/target
  env.block_root /sys/block
  env.dev_root /dev
  env.include iqn.2016-09.com.example:*
  env.exclude *:test-* *:scratch
  env.latency_warning 0:3

=over 4

=item C<env.target_root>

The LIO configfs root. Default: F</sys/kernel/config/target>.

=item C<env.block_root>

Where the block devices' F<stat> files are. Default: F</sys/block>.

=item C<env.dev_root>

Where the device paths of the backstores (their C<udev_path>, e.g.
F</dev/vg1/lv0>, F</dev/mapper/vg1-lv0>, F</dev/drbd0>) are looked
up: the symlinks lead to the kernel's device name (F<dm-3>, F<drbd0>).
Default: F</dev>.

=item C<env.include>, C<env.exclude>

Glob patterns (picomatch: C<*>, C<?>, C<[...]>, C<{a,b}>), separated by
spaces or commas, matched against target and initiator names. An
excluded name is left out. With C<include> set, only targets that
match, or that have a matching initiator, are drawn, and of their
initiators those that match or whose target matches.

=item C<env.latency_warning>, C<env.latency_critical>

The alert range of every latency field, in seconds. Default: warning
C<0:3> (as diskstats), no critical; C<off> for none.

=item C<env.FIELD_warning>, C<env.FIELD_critical>

The range of latency fields of that name (e.g. C<lun_0_write>; the
same name in each target's graph).

=back

After a change, restart munin-node. Check the plugin the way
munin-node runs it: C<munin-run lio_disk config>, C<munin-run lio_disk>.

=head1 INTERPRETATION

Category C<san>. Overview graphs draw one line (or read/write pair)
per target (a target's TPG); a click on a graph leads to one graph per
target with its LUNs or its initiators:

=over 4

=item C<lio_disk_bytes>, C<lio_disk_bytes.TARGET>

Bytes per second read (below the axis) and written (above), per
target and per LUN, from F<scsi_tgt_port/read_mbytes> and
F<write_mbytes> (whole MiB).

=item C<lio_disk_iops>, C<lio_disk_iops.TARGET>

SCSI commands per second (reads, writes and others) from
F<scsi_tgt_port/in_cmds>.

=item C<lio_disk_initiator_bytes>, C<lio_disk_initiator_iops>, and their C<.TARGET> graphs

The same from the initiators' ACLs (F<acls/INITIATOR/lun_M/statistics/scsi_auth_intr>):
per target all its ACL initiators together, and per initiator on
that target all its mapped LUNs together.

=item C<lio_disk_latency>, C<lio_disk_latency.TARGET>

Average seconds a read (below the axis) or write (above) took on the
block device behind each LUN, queue included: the difference of the
read (write) ticks divided by the difference of completed reads
(writes) in F</sys/block/DEV/stat> between two runs, as diskstats
computes it; 0 when there was no I/O. A target's line weighs its
devices by their I/Os.

=item C<lio_disk_util>, C<lio_disk_util.TARGET>

Percent of the time the device had I/O in flight (io_ticks); for a
target, its busiest device.

=back

Latency and utilization need two readings: the previous one is kept in
F<$MUNIN_PLUGSTATE/lio-munin-lio-disk.json> (without C<MUNIN_PLUGSTATE>,
as when started by hand rather than through munin-node or munin-run,
they stay C<U>). The first run, a missing
or damaged state file, and a counter that went back (a reboot) give
C<U> for one run. Backstores without a block device (ramdisk, user,
fileio on a file) have no latency or utilization line: they have no
F<stat> file.

Without multigraph support the node prints only C<lio_disk_bytes>,
and C<autoconf> says C<no>. A statistics file that cannot be read
gives C<U> for what depends on it and one line on stderr. A F<lun/>
or F<acls/> directory that cannot be listed gives one line; the
plugin keeps the last listings in C<$MUNIN_PLUGSTATE>
(F<lio-munin-lio-listings.json>), so the fields below it stay, with
C<U>.

=head1 MAGIC MARKERS

Read by munin-node-configure:

 #%# family=auto
 #%# capabilities=autoconf

=head1 BUGS

The kernel counts whole MiB, so rates below 1 MiB per interval show
as steps.

An initiator with ACLs on several targets has a line in each target's
graph, not one summed line.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { lioDiskPlugin } from './graphs/lio-disk.js';

main(lioDiskPlugin(process.env));
