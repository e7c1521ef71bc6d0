/*
 * drbd_ext - Munin plugin: DRBD bitmap updates and requests in flight per device.
 *
 * Fields per device (minor N), named as in the original drbd_ext plugin:
 *   drbdNbm  bitmap updates per second     DERIVE  (bm)
 *   drbdNlo  requests open to local disk   GAUGE   (lo)
 *   drbdNpe  requests pending at the peer  GAUGE   (pe)
 *   drbdNua  requests unacknowledged       GAUGE   (ua)
 *   drbdNap  application requests pending  GAUGE   (ap)
 *   drbdNep  epochs                        GAUGE   (ep, DRBD 8 only: absent on DRBD 9)
 *
 * With several DRBD 9 peers, each peer's fields carry its connection name (cleaned, a leading
 * digit gets a `_`), e.g. drbdN<peer>pe, labelled "drbdN pending (peer <name>)"; with
 * exactly one peer they keep the names above.
 *
 * Configuration (/etc/munin/plugin-conf.d/lio-munin):
 *   [drbd*]
 *   user root                          # needed on DRBD 9 only (drbdsetup), written by the installer
 *   env.drbd_proc /proc/drbd           # default; DRBD 8 statistics, and how DRBD 9 is recognised
 *   env.drbdsetup /usr/sbin/drbdsetup  # DRBD 9: runs `drbdsetup events2 --now --statistics` (default path)
 *   env.drbdsetup_timeout 5            # DRBD 9: seconds before a hanging drbdsetup is killed (default 5)
 *   env.drbd_events2 /path/to/file     # DRBD 9: read that command's output from this file instead
 *
 * DRBD 9 (/proc/drbd with version lines only): statistics come from drbdsetup, in the same units
 * as DRBD 8's /proc/drbd, so a node upgraded from 8.4 keeps its field names and RRD history.
 * If drbdsetup is refused, hangs or fails, the fields of its last good run (kept in
 * $MUNIN_PLUGSTATE) print U, one line goes to stderr, and the exit code is 0.
 *
 * Magic markers, read by munin-node-configure:
 * #%# family=auto
 * #%# capabilities=autoconf
 */
import { main } from '../lib/munin/main.js';
import { DRBD_GRAPHS, drbdPlugin } from './graphs/drbd.js';

main(drbdPlugin(DRBD_GRAPHS.drbd_ext, process.env));
