/*
=head1 NAME

drbd_ext - Munin plugin: DRBD bitmap updates and requests in flight per device

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
munin-node runs it: C<munin-run drbd_ext config>, C<munin-run drbd_ext>,
C<munin-run drbd_ext autoconf>.

=head1 INTERPRETATION

Category C<disk>. Fields per DRBD device (minor I<N>), named as in the
original drbd_ext plugin:

=over 4

=item C<drbdNbm>

Bitmap updates of the metadata per second (C<bm>): C<DERIVE>, C<min 0>.

=item C<drbdNlo>

Requests open to the local disk (C<lo>).

=item C<drbdNpe>

Requests sent to the peer, not yet answered (C<pe>).

=item C<drbdNua>

Requests received from the peer, not yet acknowledged (C<ua>).

=item C<drbdNap>

Application requests (block I/O forwarded to DRBD), not yet answered
(C<ap>).

=item C<drbdNep>

Epochs (C<ep>). DRBD 8 only: absent on DRBD 9, not faked.

=back

All but C<drbdNbm> are C<GAUGE> fields: the number at the moment of
reading.

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
  bm       device bm-writes              metadata writes
  lo, ap   device lower-pending,         requests in flight
           upper-pending
  pe, ua   peer-device pending, unacked  requests in flight
  ep       none                          absent on DRBD 9

A connection's C<ap-in-flight> and C<rs-in-flight> (sectors) have no
DRBD 8 field and are not graphed.

=head2 Several DRBD 9 peers

With exactly one peer the fields keep the names above. With several,
each peer gets its own fields: C<drbd>, the minor, the peer's
connection name and the suffix, e.g. C<drbd0ninape>, labelled
"drbd0 pending (peer nina)". The connection name is lowercased, characters
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

main(drbdPlugin(DRBD_GRAPHS.drbd_ext, process.env));
