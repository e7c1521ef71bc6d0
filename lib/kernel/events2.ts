// Parser for the output of DRBD 9's `drbdsetup events2 --now --statistics`.
//
//   exists resource name:r0 role:Secondary suspended:no write-ordering:drain
//   exists device name:r0 volume:0 minor:7 disk:UpToDate size:6291228 read:6397188 written:131844 al-writes:34 ...
//   exists peer-device name:r0 peer-node-id:1 conn-name:remote-host volume:0 ... received:0 sent:131844 out-of-sync:0 pending:0 unacked:0
//   exists -
//
// Each line is one event: an action (exists, create, change, destroy, ...), an object type and
// key:value pairs. The events are applied in order, so a recorded stream with objects that
// appear (create), change and disappear (destroy) ends in the state it describes; lines may come
// in any order because devices and their peers are joined only at the end. Also accepted: a
// `--timestamps` prefix before the action, continuation lines (lines starting with whitespace,
// as in wrapped documentation output) and `--diff` values (`old->new`, the new value counts).
//
// Units, from drbd-utils user/v9/drbdsetup.c (print_device_statistics and
// print_peer_device_statistics) and the kernel's netlink definitions (drbd-headers
// linux/drbd_genl.h, device_statistics and peer_device_statistics):
//   read, written (device) and received, sent, out-of-sync (peer device): the kernel counts
//     512-byte sectors and drbdsetup prints them divided by 2, i.e. in KiB, the unit of DRBD 8's
//     dr dw nr ns oos;
//   al-writes, bm-writes: counts of metadata writes, as DRBD 8's al and bm;
//   upper-pending (kernel ap_bio_cnt, DRBD 8's ap), lower-pending (local_cnt, DRBD 8's lo),
//     pending (ap_pending_cnt + rs_pending_cnt, DRBD 8's pe), unacked (unacked_cnt, DRBD 8's ua):
//     numbers of requests.
// ap-in-flight and rs-in-flight of a connection are in sectors (printed as the kernel counts) and
// have no DRBD 8 field; size (device) is in KiB, as read and written.
// `--statistics` also raises drbdsetup's verbosity, which is what prints al-writes, pending,
// unacked and a zero out-of-sync at all.

export type Props = Record<string, string>;

export interface DeviceObject {
  resource: string;
  volume: string;
  props: Props;
}

export interface PeerDeviceObject {
  resource: string;
  connection: string;
  volume: string;
  props: Props;
}

/** The DRBD objects an events2 stream leaves behind, keyed as drbdsetup keys them. */
export interface Events2State {
  resources: Map<string, Props>;
  /** key: resource NUL volume */
  devices: Map<string, DeviceObject>;
  /** key: resource NUL connection name (conn-name) */
  connections: Map<string, Props>;
  /** key: resource NUL connection name NUL volume */
  peerDevices: Map<string, PeerDeviceObject>;
  /** Lines recognised as events (including `exists -`). */
  events: number;
  /** True once the `exists -` line that ends the initial state was seen. */
  initialStateDone: boolean;
  /** Logical lines that are not events2 output, as read. */
  unparsed: string[];
}

const ACTIONS = new Set(['exists', 'create', 'change', 'destroy', 'rename', 'call', 'response']);

/** Joins continuation lines (leading whitespace) to the line they continue. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && lines.length > 0) lines[lines.length - 1] += ' ' + line.trim();
    else lines.push(line.trim());
  }
  return lines;
}

function parseProps(tokens: string[]): Props {
  const props: Props = {};
  for (const token of tokens) {
    const colon = token.indexOf(':');
    if (colon <= 0) continue;
    const value = token.slice(colon + 1);
    // --diff prints changed values as old->new.
    const arrow = value.lastIndexOf('->');
    props[token.slice(0, colon)] = arrow >= 0 ? value.slice(arrow + 2) : value;
  }
  return props;
}

const sep = '\0';

export function parseEvents2(text: string): Events2State {
  const state: Events2State = {
    resources: new Map(),
    devices: new Map(),
    connections: new Map(),
    peerDevices: new Map(),
    events: 0,
    initialStateDone: false,
    unparsed: [],
  };
  for (const line of logicalLines(text)) {
    let tokens = line.split(/\s+/);
    // --timestamps puts one token (an ISO 8601 time) before the action.
    if (!ACTIONS.has(tokens[0]!) && tokens.length > 1 && ACTIONS.has(tokens[1]!)) tokens = tokens.slice(1);
    const [action, object, ...rest] = tokens;
    if (!ACTIONS.has(action!) || object === undefined) {
      state.unparsed.push(line);
      continue;
    }
    state.events++;
    if (object === '-') {
      if (action === 'exists') state.initialStateDone = true;
      continue;
    }
    const props = parseProps(rest);
    const resource = props.name;
    if (resource === undefined) {
      if (action !== 'call' && action !== 'response') state.unparsed.push(line);
      continue;
    }
    apply(state, action!, object, resource, props);
  }
  return state;
}

function connectionName(props: Props): string {
  // Old drbdsetup versions print no peer-node-id, new ones always a conn-name.
  return props['conn-name'] ?? `peer-node-id-${props['peer-node-id'] ?? '?'}`;
}

function upsert<T extends { props: Props }>(map: Map<string, T>, key: string, make: () => T, props: Props): void {
  const existing = map.get(key);
  if (existing) Object.assign(existing.props, props);
  else map.set(key, make());
}

function deleteWhere<T>(map: Map<string, T>, test: (key: string) => boolean): void {
  for (const key of [...map.keys()]) if (test(key)) map.delete(key);
}

function apply(state: Events2State, action: string, object: string, resource: string, props: Props): void {
  if (action === 'call' || action === 'response') return; // helper scripts, not objects
  const destroy = action === 'destroy';
  const under = (key: string) => key.startsWith(resource + sep);
  switch (object) {
    case 'resource': {
      if (action === 'rename' && props.new_name) {
        renameResource(state, resource, props.new_name);
      } else if (destroy) {
        state.resources.delete(resource);
        deleteWhere(state.devices, under);
        deleteWhere(state.connections, under);
        deleteWhere(state.peerDevices, under);
      } else {
        state.resources.set(resource, { ...state.resources.get(resource), ...props });
      }
      return;
    }
    case 'device': {
      const volume = props.volume ?? '0';
      const key = resource + sep + volume;
      if (destroy) {
        state.devices.delete(key);
        deleteWhere(state.peerDevices, (k) => under(k) && k.endsWith(sep + volume));
      } else {
        upsert(state.devices, key, () => ({ resource, volume, props }), props);
      }
      return;
    }
    case 'connection': {
      const connection = connectionName(props);
      const key = resource + sep + connection;
      if (destroy) {
        state.connections.delete(key);
        deleteWhere(state.peerDevices, (k) => k.startsWith(key + sep));
      } else {
        state.connections.set(key, { ...state.connections.get(key), ...props });
      }
      return;
    }
    case 'peer-device': {
      const connection = connectionName(props);
      const volume = props.volume ?? '0';
      const key = resource + sep + connection + sep + volume;
      if (destroy) state.peerDevices.delete(key);
      else upsert(state.peerDevices, key, () => ({ resource, connection, volume, props }), props);
      return;
    }
    default:
      return; // path, helper: nothing to graph
  }
}

function renameResource(state: Events2State, from: string, to: string): void {
  const moved = (key: string) => (key.startsWith(from + sep) ? to + key.slice(from.length) : key);
  const resource = state.resources.get(from);
  state.resources.delete(from);
  if (resource) state.resources.set(to, { ...resource, name: to });
  for (const map of [state.devices, state.connections, state.peerDevices] as Array<Map<string, { resource?: string }>>) {
    for (const [key, value] of [...map.entries()]) {
      if (!key.startsWith(from + sep)) continue;
      map.delete(key);
      if ('resource' in value) value.resource = to;
      map.set(moved(key), value);
    }
  }
}
