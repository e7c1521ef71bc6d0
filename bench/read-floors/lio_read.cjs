// Read floor of lio_read (lio_write: write_mbytes): the listings and one counter per LUN and per
// initiator x mapped LUN, from inside each TPG's directory; no parsing, no output (bench/README.md).
// node --max-opt=1 bench/read-floors/lio_read.cjs [write], with target_root set.
'use strict';
const fs = require('node:fs');
const root = process.env.target_root;
const file = process.argv[2] === 'write' ? 'write_mbytes' : 'read_mbytes';
const O = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
const buf = Buffer.allocUnsafe(256);
const bufs = [buf];
function read(path) {
  const fd = fs.openSync(path, O);
  fs.readvSync(fd, bufs);
  fs.closeSync(fd);
}
const dirs = (path) => fs.readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const home = process.cwd();
for (const fabric of dirs(root)) {
  if (fabric === 'core') continue;
  for (const target of dirs(`${root}/${fabric}`)) {
    for (const tpgt of dirs(`${root}/${fabric}/${target}`).filter((n) => n.startsWith('tpgt_'))) {
      const tpg = `${root}/${fabric}/${target}/${tpgt}`;
      const luns = dirs(`${tpg}/lun`);
      const acls = dirs(`${tpg}/acls`).map((initiator) => [initiator, dirs(`${tpg}/acls/${initiator}`).filter((n) => n.startsWith('lun_'))]);
      process.chdir(tpg);
      for (const lun of luns) read(`lun/${lun}/statistics/scsi_tgt_port/${file}`);
      for (const [initiator, mapped] of acls) for (const m of mapped) read(`acls/${initiator}/${m}/statistics/scsi_auth_intr/${file}`);
    }
  }
}
process.chdir(home);
