// The Munin plugin protocol (Munin 2.0): modes, config and value output, field names.
// Everything a plugin prints goes through here, so the protocol rules live in one place.
import { UserError } from '../errors.js';

export type FieldType = 'GAUGE' | 'DERIVE';

export interface Field {
  name: string;
  label: string;
  type: FieldType;
  info?: string;
  /** RPN expression applied by the master, e.g. `name,1024,*` to turn KiB into bytes. */
  cdef?: string;
  min?: number;
  draw?: string;
  /** Raw value as read (digits), null when it could not be read (printed as U). */
  value: string | null;
}

export interface Graph {
  /** graph_* attributes in print order, e.g. ['graph_title', 'LIO read']. */
  attributes: Array<[string, string]>;
  /**
   * The fields in print order. They may be made one at a time while they are printed (each
   * iteration making them anew): with thousands of fields, no field then outlives its own lines,
   * and the garbage collector has nothing to copy again and again.
   */
  fields: Iterable<Field>;
}

export interface Plugin {
  /** `yes` or `no (reason)`: the single line autoconf prints. */
  autoconf(): string;
  /**
   * Builds the graph; values are read only when withValues is true. withConfig is false for a
   * plain fetch, which prints only names and values: a plugin may then leave labels and other
   * config-only attributes empty (with thousands of fields, building them costs measurable time).
   */
  graph(withValues: boolean, withConfig?: boolean): Graph;
}

/** Where a plugin's output goes: standard output (StdoutOutput), or a string in the tests. */
export interface Output {
  write(text: string): void;
}

/** Config lines in a fixed order; with withValues, the value lines follow them (dirtyconfig). */
export function writeConfig(graph: Graph, out: Output, withValues = false): void {
  for (const [key, value] of graph.attributes) out.write(`${key} ${value}\n`);
  // Value lines are kept (short strings), so the fields are made only once.
  const values: string[] = [];
  for (const field of graph.fields) {
    out.write(`${field.name}.label ${field.label}\n`);
    if (field.info) out.write(`${field.name}.info ${field.info}\n`);
    out.write(`${field.name}.type ${field.type}\n`);
    if (field.min !== undefined) out.write(`${field.name}.min ${field.min}\n`);
    if (field.cdef) out.write(`${field.name}.cdef ${field.cdef}\n`);
    if (field.draw) out.write(`${field.name}.draw ${field.draw}\n`);
    if (withValues) values.push(valueLine(field));
  }
  for (const line of values) out.write(line);
}

export function writeValues(graph: Graph, out: Output): void {
  for (const field of graph.fields) out.write(valueLine(field));
}

function valueLine(field: Field): string {
  return `${field.name}.value ${field.value ?? 'U'}\n`;
}

/**
 * Runs a plugin for argv mode (none = fetch, `config`, `autoconf`), writing to out.
 * Never throws for missing or odd input: plugins report unknowns as U and exit 0. A wrong mode
 * throws a UserError before anything is written.
 */
export function runMode(plugin: Plugin, mode: string | undefined, env: NodeJS.ProcessEnv, out: Output): void {
  switch (mode) {
    case 'autoconf':
      out.write(plugin.autoconf() + '\n');
      return;
    case 'config': {
      // dirtyconfig: the master skips the fetch run, so config must carry the values too.
      const dirty = env.MUNIN_CAP_DIRTYCONFIG === '1';
      writeConfig(plugin.graph(dirty), out, dirty);
      return;
    }
    case undefined:
    case '':
    case 'fetch':
      writeValues(plugin.graph(true, false), out);
      return;
    default:
      throw new UserError(`unknown mode "${mode}" (expected config, autoconf or none)`);
  }
}


/** One problem line on stderr; never starts with '#', which munin would take as a comment. */
export function warn(message: string): void {
  process.stderr.write(`${process.argv[1]?.split('/').pop() ?? 'plugin'}: ${message}\n`);
}
