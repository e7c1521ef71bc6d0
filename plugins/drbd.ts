/*
 * drbd - Munin plugin: DRBD disk and network traffic per device, in bytes per second.
 *
 * Fields per device (minor N), named as in the original drbd plugin:
 *   drbdNdr  disk read          DERIVE  (dr, KiB, shown in bytes)
 *   drbdNdw  disk write         DERIVE  (dw)
 *   drbdNns  network send       DERIVE  (ns)
 *   drbdNnr  network receive    DERIVE  (nr)
 *   drbdNos  out of sync        GAUGE   (oos: an amount in bytes, not a rate)
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

main(drbdPlugin(DRBD_GRAPHS.drbd, process.env));
