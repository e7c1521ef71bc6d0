/*
 * drbd_al - Munin plugin: DRBD activity log updates per device, per second.
 *
 * Fields per device (minor N), named as in the original drbd_al plugin:
 *   drbdNal  activity log updates  DERIVE  (al)
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

main(drbdPlugin(DRBD_GRAPHS.drbd_al, process.env));
