// The Munin plugin protocol (Munin 2.0): modes, config and value output, field names.
// Everything a plugin prints goes through here, so the protocol rules live in one place.
import { UserError } from '../errors.js';
import { ConfigMemo } from './config-memo.js';

export type FieldType = 'GAUGE' | 'DERIVE';

export interface Field {
  name: string;
  label: string;
  type: FieldType;
  info?: string;
  /** RPN expression applied by the master, e.g. `name,1024,*` to turn KiB into bytes. */
  cdef?: string;
  min?: number;
  max?: number;
  draw?: string;
  /** `graph no`: not drawn by itself (the read half of a read/write pair). */
  hidden?: boolean;
  /** The field drawn below the axis, mirrored, as this field's other half (`name.negative`). */
  negative?: string;
  /** Munin ranges (`min:max`, `min:`, `:max`, `max`): munin-limits alerts outside them. */
  warning?: string;
  critical?: string;
  /** Shown beside the field on the web page and in the alert text. */
  extinfo?: string;
  /** Raw value as read (digits), null when it could not be read (printed as U). */
  value: string | null;
}

export interface Graph {
  /**
   * The graph's name in a multigraph plugin (`drbd_state`, `drbd_state.resync`); a plugin that
   * returns several graphs names each, and prints only the first where the master does not
   * support multigraph (MUNIN_CAP_MULTIGRAPH unset).
   */
  name?: string;
  /** graph_* attributes in print order, e.g. ['graph_title', 'LIO read']. */
  attributes: Array<[string, string]>;
  /**
   * The fields in print order. They may be made one at a time while they are printed (each
   * iteration making them anew): with thousands of fields, no field then outlives its own lines,
   * and the garbage collector has nothing to copy again and again.
   */
  fields: Iterable<Field>;
}

export interface Plugin<G extends Graph | Graph[] = Graph> {
  /** `yes` or `no (reason)`: the single line autoconf prints. */
  autoconf(): string;
  /**
   * Builds the graph; values are read only when withValues is true. withConfig is false for a
   * plain fetch, which prints only names and values: a plugin may then leave labels and other
   * config-only attributes empty (with thousands of fields, building them costs measurable time).
   * A multigraph plugin returns its graphs, the first the one a plain master gets.
   */
  graph(withValues: boolean, withConfig?: boolean): G;
  /**
   * Everything the config depends on besides the plugin's build and environment, as text (e.g.
   * /proc/drbd without its counters): the config is then kept and printed again while they are
   * the same (ConfigMemo). undefined: made anew this time. Read before graph(), which must make
   * the config from these same inputs, not read them again.
   */
  configInputs?(): string | undefined;
}

/** Where a plugin's output goes: standard output (StdoutOutput), or a string in the tests. */
export interface Output {
  write(text: string): void;
}

/** A C0 control character or DEL: a newline would start a protocol line of its own. */
const CONTROL = /[\x00-\x1f\x7f]/g;

/**
 * Text as it may stand after `name.attr ` on one protocol line: every control character becomes
 * `?`. Labels and infos carry names from configfs and Pacemaker, which may hold a newline; through
 * here none can print a line (`graph_title ...`, `x.value 999`, `multigraph ...`) it did not mean.
 */
export function protocolText(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text) ? text.replace(CONTROL, '?') : text;
}

/** Config lines in a fixed order; with withValues, the value lines follow them (dirtyconfig). */
export function writeConfig(graph: Graph, out: Output, withValues = false): void {
  const lines = new Lines(out);
  for (const [key, value] of graph.attributes) lines.add(key, ' ', value);
  // Names and values are kept (short strings), so the fields are made only once.
  const values: string[] = [];
  // One line at a time, each written out here rather than through a helper made per field: the
  // plugins run without V8's optimizing compilers, which would inline it (bench/README.md).
  for (const field of graph.fields) {
    const name = field.name;
    lines.add(name, '.label ', field.label);
    if (field.info) lines.add(name, '.info ', field.info);
    lines.add(name, '.type ', field.type);
    if (field.min !== undefined) lines.add(name, '.min ', String(field.min));
    if (field.max !== undefined) lines.add(name, '.max ', String(field.max));
    if (field.cdef) lines.add(name, '.cdef ', field.cdef);
    if (field.draw) lines.add(name, '.draw ', field.draw);
    if (field.hidden) lines.add(name, '.graph ', 'no');
    if (field.negative) lines.add(name, '.negative ', field.negative);
    if (field.warning) lines.add(name, '.warning ', field.warning);
    if (field.critical) lines.add(name, '.critical ', field.critical);
    if (field.extinfo) lines.add(name, '.extinfo ', field.extinfo);
    if (withValues) values.push(name, field.value ?? 'U');
  }
  for (let i = 0; i < values.length; i += 2) lines.add(values[i]!, '.value ', values[i + 1]!);
  lines.flush();
}

export function writeValues(graph: Graph, out: Output): void {
  const lines = new Lines(out);
  for (const field of graph.fields) lines.add(field.name, '.value ', field.value ?? 'U');
  lines.flush();
}

/** Lines are handed to the output in batches of about this many characters. */
const BATCH = 64 * 1024;
/** The control characters other than the line feed, each as a string. */
const CONTROL_BUT_LF = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c === 10 ? 0x7f : c));

/**
 * Whether text holds a control character other than the line feed. A search for one character is
 * memchr (a few instructions for 16 bytes); a regular expression's character class looks at each
 * character in turn, about 10 instructions each (bench/README.md).
 */
function hasControlButLf(text: string): boolean {
  for (let i = 0; i < CONTROL_BUT_LF.length; i++) if (text.includes(CONTROL_BUT_LF[i]!)) return true;
  return false;
}
const LF = /\n/g;

/**
 * Protocol lines (`name.attr text`, `key value`), written to out in batches, each line's name and
 * text made safe as by protocolText. Kept as their parts until a batch is joined, and tested a
 * batch at a time: a string made per line and a regular expression call per name and text cost
 * more than the rest of a line (bench/README.md). A batch with no control character but one line
 * feed per line has none in any name or text; any other batch is made again part by part.
 */
class Lines {
  /** name, separator, text and line feed of each line, in order. */
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly out: Output) {}

  add(name: string, separator: string, text: string): void {
    this.parts.push(name, separator, text, '\n');
    this.length += name.length + text.length;
    if (this.length >= BATCH) this.flush();
  }

  flush(): void {
    const parts = this.parts;
    if (parts.length === 0) return;
    this.parts = [];
    this.length = 0;
    const text = parts.join('');
    if (!hasControlButLf(text) && text.match(LF)?.length === parts.length / 4) {
      this.out.write(text);
      return;
    }
    const safe: string[] = [];
    for (let i = 0; i < parts.length; i += 4) safe.push(protocolText(parts[i]!), parts[i + 1]!, protocolText(parts[i + 2]!), '\n');
    this.out.write(safe.join(''));
  }
}

/**
 * Runs a plugin for argv mode (none = fetch, `config`, `autoconf`), writing to out.
 * Never throws for missing or odd input: plugins report unknowns as U and exit 0. A wrong mode
 * throws a UserError before anything is written.
 */
export function runMode(plugin: Plugin<Graph | Graph[]>, mode: string | undefined, env: NodeJS.ProcessEnv, out: Output): void {
  switch (mode) {
    case 'autoconf':
      out.write(protocolText(plugin.autoconf()) + '\n');
      return;
    case 'config': {
      // dirtyconfig: the master skips the fetch run, so config must carry the values too.
      const dirty = env.MUNIN_CAP_DIRTYCONFIG === '1';
      const inputs = dirty ? undefined : plugin.configInputs?.();
      const memo = inputs === undefined ? undefined : ConfigMemo.open(env, inputs);
      if (memo?.output !== undefined) {
        out.write(memo.output);
        return;
      }
      const warned = warnings;
      const to = memo ? memo.recording(out) : out;
      for (const graph of graphsToPrint(plugin.graph(dirty), env, to)) writeConfig(graph, to, dirty);
      // A config that said something on stderr is made again next time, to say it again.
      if (memo && warnings === warned) memo.save();
      return;
    }
    case undefined:
    case '':
    case 'fetch':
      for (const graph of graphsToPrint(plugin.graph(true, false), env, out, true)) writeValues(graph, out);
      return;
    default:
      throw new UserError(`unknown mode "${mode}" (expected config, autoconf or none)`);
  }
}

/**
 * The graphs to print, in order: all of a multigraph plugin's, each announced by its
 * `multigraph NAME` line as it is printed, when the master supports multigraph; else the first.
 * A fetch leaves out the graphs known to have no fields (nothing to say).
 */
function* graphsToPrint(made: Graph | Graph[], env: NodeJS.ProcessEnv, out: Output, skipEmpty = false): Generator<Graph> {
  if (!Array.isArray(made)) {
    yield made;
    return;
  }
  if (env.MUNIN_CAP_MULTIGRAPH !== '1') {
    if (made[0]) yield made[0];
    return;
  }
  for (const graph of made) {
    if (skipEmpty && Array.isArray(graph.fields) && graph.fields.length === 0) continue;
    out.write(`multigraph ${protocolText(graph.name ?? '')}\n`);
    yield graph;
  }
}

/** Lines warn() has written. */
let warnings = 0;

/** One problem line on stderr; never starts with '#', which munin would take as a comment. */
export function warn(message: string): void {
  warnings++;
  // One line in munin-node's log, whatever names the message holds.
  process.stderr.write(`${process.argv[1]?.split('/').pop() ?? 'plugin'}: ${protocolText(message)}\n`);
}
