// Read floor of `lio-collector metrics --no-drbd` (bench/README.md): the listings and every file it
// reads, counters from inside each TPG's directory, each once; no parsing, no output.
// node bench/read-floors/metrics.cjs ROOT (the collector runs with V8's default flags).
'use strict';
const fs = require('node:fs');
const root = process.argv[2];
const O = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
const buf = Buffer.allocUnsafe(4097);
const bufs = [buf];
function read(path) {
  const fd = fs.openSync(path, O);
  fs.readvSync(fd, bufs);
  fs.closeSync(fd);
}
const dirs = (path) => fs.readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const TARGET = ['iscsi_instance/sessions', 'iscsi_login_stats/accepts', 'iscsi_login_stats/authorize_fails', 'iscsi_login_stats/authenticate_fails', 'iscsi_login_stats/negotiate_fails', 'iscsi_login_stats/other_fails', 'iscsi_login_stats/redirects', 'iscsi_logout_stats/normal_logouts', 'iscsi_logout_stats/abnormal_logouts', 'iscsi_sess_err/digest_errors', 'iscsi_sess_err/cxn_errors', 'iscsi_sess_err/format_errors'];
const home = process.cwd();
for (const fabric of dirs(root)) {
  if (fabric === 'core') continue;
  for (const target of dirs(`${root}/${fabric}`)) {
    for (const tpgt of dirs(`${root}/${fabric}/${target}`).filter((n) => n.startsWith('tpgt_'))) {
      const tpg = `${root}/${fabric}/${target}/${tpgt}`;
      const luns = dirs(`${tpg}/lun`);
      const acls = dirs(`${tpg}/acls`).map((initiator) => [initiator, dirs(`${tpg}/acls/${initiator}`).filter((n) => n.startsWith('lun_'))]);
      process.chdir(tpg);
      for (const lun of luns) for (const file of ['read_mbytes', 'write_mbytes', 'in_cmds']) read(`lun/${lun}/statistics/scsi_tgt_port/${file}`);
      for (const [initiator, mapped] of acls) {
        for (const m of mapped) for (const file of ['read_mbytes', 'write_mbytes', 'num_cmds']) read(`acls/${initiator}/${m}/statistics/scsi_auth_intr/${file}`);
      }
      for (const file of TARGET) read(`${root}/${fabric}/${target}/fabric_statistics/${file}`);
      for (const [initiator] of acls) for (const file of ['info', 'fabric_statistics/iscsi_sess_stats/conn_digest_errors', 'fabric_statistics/iscsi_sess_stats/conn_timeout_errors']) read(`${tpg}/acls/${initiator}/${file}`);
      read(`${tpg}/dynamic_sessions`);
    }
  }
}
process.chdir(home);
