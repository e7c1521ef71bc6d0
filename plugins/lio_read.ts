/*
 * lio_read - Munin plugin: bytes read from LIO (Linux SCSI target) LUNs, per second.
 *
 * One field per LUN (all initiators together, from lun/lun_N/statistics/scsi_tgt_port/read_mbytes)
 * and one per initiator and mapped LUN (acls/INITIATOR/lun_M/statistics/scsi_auth_intr/read_mbytes),
 * for every fabric (iscsi, loopback, vhost, qla2xxx, srpt, ...), target and TPG under configfs.
 * Field names are those of the original lio_read shell plugin, so its RRD history continues.
 *
 * Configuration (/etc/munin/plugin-conf.d/lio-munin):
 *   [lio_*]
 *   env.target_root /sys/kernel/config/target   # the LIO configfs root (default)
 *
 * Magic markers, read by munin-node-configure:
 * #%# family=auto
 * #%# capabilities=autoconf
 */
import { main } from '../lib/munin/main.js';
import { lioPlugin } from './graphs/lio.js';

main(lioPlugin('read', process.env));
