/*
 * drbd_ext - Munin plugin: DRBD bitmap updates and requests in flight per device.
 *
 * Fields per device (minor N), named as in the original drbd_ext plugin:
 *   drbdNbm  bitmap updates per second     DERIVE  (bm)
 *   drbdNlo  requests open to local disk   GAUGE   (lo)
 *   drbdNpe  requests pending at the peer  GAUGE   (pe)
 *   drbdNua  requests unacknowledged       GAUGE   (ua)
 *   drbdNap  application requests pending  GAUGE   (ap)
 *   drbdNep  epochs                        GAUGE   (ep, DRBD 8 only)
 *
 * Configuration (/etc/munin/plugin-conf.d/lio-munin):
 *   [drbd*]
 *   env.drbd_proc /proc/drbd    # DRBD 8 statistics (default)
 *
 * Magic markers, read by munin-node-configure:
 * #%# family=auto
 * #%# capabilities=autoconf
 */
import { main } from './lib/munin.js';
import { DRBD_GRAPHS, drbdPlugin } from './lib/drbd.js';

main(drbdPlugin(DRBD_GRAPHS.drbd_ext, process.env));
