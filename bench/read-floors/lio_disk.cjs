// Read floor of lio_disk (bench/README.md): the plugin's system calls on the bench's trees and
// nothing else: the listings, each LUN's backstore link, udev_path and device, the counters (from
// inside each TPG's directory), the devices' stat files and the state files; no parsing, no output.
// node --max-opt=1 bench/read-floors/lio_disk.cjs [config], in lio_disk's bench environment (it
// writes lio-munin-floor.json, not the plugin's state file, into MUNIN_PLUGSTATE).
'use strict';
const fs = require('node:fs');
const { target_root: root, dev_root: dev, block_root: blk, MUNIN_PLUGSTATE: state } = process.env;
const fetch = process.argv[2] !== 'config';
const O = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK;
const buf = Buffer.allocUnsafe(4097);
const bufs = [buf];
function read(path) {
  const fd = fs.openSync(path, O);
  const n = fs.readvSync(fd, bufs);
  fs.closeSync(fd);
  return n;
}
const dirs = (path) => fs.readdirSync(path, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
const home = process.cwd();
const statFiles = [];
fs.realpathSync.native(dev);
for (const fabric of dirs(root)) {
  if (fabric === 'core') continue;
  for (const target of dirs(`${root}/${fabric}`)) {
    for (const tpgt of dirs(`${root}/${fabric}/${target}`).filter((n) => n.startsWith('tpgt_'))) {
      const tpg = `${root}/${fabric}/${target}/${tpgt}`;
      const luns = dirs(`${tpg}/lun`);
      const acls = dirs(`${tpg}/acls`).map((initiator) => [initiator, dirs(`${tpg}/acls/${initiator}`).filter((n) => n.startsWith('lun_'))]);
      for (const lun of luns) {
        const link = fs.readdirSync(`${tpg}/lun/${lun}`, { withFileTypes: true }).find((e) => e.isSymbolicLink()).name;
        const backstore = fs.readlinkSync(`${tpg}/lun/${lun}/${link}`);
        const n = read(`${root}/${backstore.slice(backstore.indexOf('core/'))}/udev_path`);
        const node = fs.realpathSync.native(`${dev}/${buf.latin1Slice(5, n - 1)}`);
        const stat = `${blk}/${node.slice(node.lastIndexOf('/') + 1)}/stat`;
        fs.existsSync(stat);
        statFiles.push(stat);
      }
      if (!fetch) continue;
      process.chdir(tpg);
      for (const lun of luns) for (const file of ['read_mbytes', 'write_mbytes', 'in_cmds']) read(`lun/${lun}/statistics/scsi_tgt_port/${file}`);
      for (const [initiator, mapped] of acls) {
        for (const m of mapped) for (const file of ['read_mbytes', 'write_mbytes', 'num_cmds']) read(`acls/${initiator}/${m}/statistics/scsi_auth_intr/${file}`);
      }
    }
  }
}
process.chdir(home);
fs.readFileSync(`${state}/lio-munin-lio-listings.json`);
if (fetch) {
  for (const stat of statFiles) read(stat);
  const text = fs.readFileSync(`${state}/lio-munin-lio-disk.json`);
  fs.writeFileSync(`${state}/.floor.tmp`, text);
  fs.renameSync(`${state}/.floor.tmp`, `${state}/lio-munin-floor.json`);
}
