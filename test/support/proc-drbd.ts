// Writes DRBD 8.4 /proc/drbd text the way the kernel prints it (drbd_proc.c: "%2d: cs:...").
export interface DrbdDeviceCounters {
  minor: number;
  /** KiB sent to / received from the peer, written to / read from the local disk. */
  ns: number;
  nr: number;
  dw: number;
  dr: number;
  al: number;
  bm: number;
  lo?: number;
  pe?: number;
  ua?: number;
  ap?: number;
  oos?: number;
}

export function procDrbd84(devices: DrbdDeviceCounters[]): string {
  const lines = ['version: 8.4.11-1 (api:1/proto:86-101)', 'GIT-hash: 66145a308421e9c124ec391a7848ac20203bb03c build by mockbuild@, 2018-04-26 10:38:05'];
  for (const d of devices) {
    lines.push(`${String(d.minor).padStart(2)}: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----`);
    lines.push(
      `    ns:${d.ns} nr:${d.nr} dw:${d.dw} dr:${d.dr} al:${d.al} bm:${d.bm} lo:${d.lo ?? 0} pe:${d.pe ?? 0} ua:${d.ua ?? 0} ap:${d.ap ?? 0} ep:1 wo:f oos:${d.oos ?? 0}`,
    );
  }
  return lines.join('\n') + '\n';
}
