/*
=head1 NAME

drbd - Munin plugin: DRBD disk and network traffic per device, in bytes per second

=head1 APPLICABLE SYSTEMS

Linux hosts running DRBD. The plugin is a single Node.js program
(Node 20 or later) that loads only Node's built-in modules.

DRBD 0.7 to 8.4: statistics come from F</proc/drbd>, read in every
format those versions printed: minors of any width, holes between
minors, C<st:> (8.0) as well as C<ro:>, unconfigured minors (no
fields), resync progress lines, C<resync:> and C<act_log:> detail
lines, and DRBD 9's debugfs C<pe:[a;b]> form (summed).

DRBD 9 (F</proc/drbd> with version lines only): statistics come from
C<drbdsetup events2 --now --statistics> (drbd-utils); see
L</DRBD 9>.

C<autoconf> answers C<yes> when a DRBD device is configured,
otherwise C<no> with the reason.

=head1 CONFIGURATION

Settings go in F</etc/munin/plugin-conf.d/lio-munin>, one section for
the three drbd plugins. On DRBD 8 the defaults need nothing:

  [drbd*]
  user root                           # DRBD 9 only
  env.drbd_proc /proc/drbd
  env.drbdsetup /usr/sbin/drbdsetup
  env.drbdsetup_timeout 5
  env.drbd_events2 /path/to/file

=over 4

=item C<user root>

Needed on DRBD 9 only. drbd-utils installs drbdsetup setuid root,
mode 4750, group C<haclient>, so user C<nobody> may not run it.
C<lio-munin install> writes this line for C<[drbd*]> when the node
runs DRBD 9. Without it C<autoconf> answers
C<no (drbdsetup needs root: add "user root" for drbd* in plugin-conf.d)>.

=item C<env.drbd_proc>

DRBD 8 statistics, and how DRBD 9 is recognised. Default:
F</proc/drbd>.

=item C<env.drbdsetup>

DRBD 9: the drbdsetup that is run as
C<drbdsetup events2 --now --statistics>. Default:
F</usr/sbin/drbdsetup>.

=item C<env.drbdsetup_timeout>

DRBD 9: seconds before a hanging drbdsetup is killed, with every
process it started (its process group). Any positive number; one
too small for a millisecond counts as one. Default: 5.

=item C<env.drbd_events2>

DRBD 9: read that command's output from this file instead of running
drbdsetup. For tests and unusual setups, e.g. a root cron job writing
the file so that the plugins can run as C<nobody>. Not set by
default.

=back

After a change, restart munin-node. Check the plugin the way
munin-node runs it: C<munin-run drbd config>, C<munin-run drbd>,
C<munin-run drbd autoconf>.

=head1 INTERPRETATION

Category C<disk>. Fields per DRBD device (minor I<N>), named as in the
original drbd plugin:

=over 4

=item C<drbdNdr>

Disk read: read from the local disk (C<dr>), in bytes per second.

=item C<drbdNdw>

Disk write: written to the local disk (C<dw>), in bytes per second.

=item C<drbdNns>

Network send: sent to the peer (C<ns>), in bytes per second.

=item C<drbdNnr>

Network receive: received from the peer (C<nr>), in bytes per second.

=item C<drbdNos>

Out of sync: data currently out of sync with the peer (C<oos>), in
bytes. A C<GAUGE>: an amount, not a rate.

=back

C<dr>, C<dw>, C<ns> and C<nr> are C<DERIVE> fields with C<min 0>. All
five are KiB counters, shown in bytes through C<cdef NAME,1024,*>.

Without DRBD (no F</proc/drbd>), C<autoconf> answers C<no (reason)>,
C<config> prints the graph title and no fields, and a fetch prints
nothing; the exit code is 0.

With C<MUNIN_CAP_DIRTYCONFIG=1> (set by munin-node 2.0.x when the
master supports it), C<config> prints the values too.

=head2 DRBD 9

DRBD 9 keeps only version lines in F</proc/drbd>. The plugin then
reads C<drbdsetup events2 --now --statistics>, in the same units as
DRBD 8's F</proc/drbd>, and shows the same fields wherever the meaning
is the same, so a node upgraded from 8.4 keeps its field names and
RRD history:

  DRBD 8   events2 (DRBD 9)              unit
  dr, dw   device read, written          KiB
  ns, nr   peer-device sent, received    KiB
  os (oos) peer-device out-of-sync       KiB, a GAUGE in bytes

The kernel counts these in 512-byte sectors and drbdsetup prints them
halved, i.e. in KiB, as DRBD 8's F</proc/drbd> did.

=head2 Several DRBD 9 peers

With exactly one peer the fields keep the names above. With several,
each peer gets its own fields: C<drbd>, the minor, the peer's
connection name and the suffix, e.g. C<drbd0ninans>, labelled
"drbd0 network send (peer nina)". The connection name is lowercased, characters
outside C<[a-z0-9_]> become C<_>, and a leading digit gets a C<_>, so
that C<drbd1> + C<0x> never reads as C<drbd10> + C<x>; names that
clean alike get a short hash suffix. A disconnected peer keeps its
fields.

=head2 When drbdsetup fails

If drbdsetup is refused, hangs past the timeout, fails, is missing, or
prints something that is not events2 output, the fields of its last
good run (kept in F<$MUNIN_PLUGSTATE/lio-munin-drbd9-devices.json>)
print C<U>, so the graphs keep their fields; one line on stderr gives
the reason, and the exit code is 0. C<autoconf> then answers
C<no (DRBD 9: reason)>. On a node never read successfully, C<config>
prints the graph without fields and a fetch prints nothing.

=head1 MAGIC MARKERS

Read by munin-node-configure:

 #%# family=auto
 #%# capabilities=autoconf

=head1 BUGS

On DRBD 9 the drbd plugins need C<user root>, since drbdsetup may be
run only by root and group C<haclient>.

Going from one DRBD 9 peer to several, or back, renames the peer
fields and so starts new RRD files.

The age of the C<env.drbd_events2> file is not checked: a stale file
draws flat lines.

Each of the three drbd plugins runs drbdsetup once per Munin cycle.

=head1 AUTHOR

The lio-munin authors

=head1 LICENSE

GPL-2.0-or-later: GNU General Public License, version 2 or (at your
option) any later version.

=cut
*/
import { main } from '../lib/munin/main.js';
import { DRBD_GRAPHS, drbdPlugin } from './graphs/drbd.js';

main(drbdPlugin(DRBD_GRAPHS.drbd, process.env));
