// The Munin plugin protocol (Munin 2.0): modes, config and value output, field names.
// Everything a plugin prints goes through here, so the protocol rules live in one place.
import type * as Crypto from 'node:crypto';
import { writeSync } from 'node:fs';

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
 * throws a UsageError before anything is written.
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
      throw new UsageError(`unknown mode "${mode}" (expected config, autoconf or none)`);
  }
}

export class UsageError extends Error {}

/** Entry point shared by all plugins: prints, and exits non-zero only for a wrong mode. */
export function main(plugin: Plugin): void {
  const out = new StdoutOutput();
  try {
    runMode(plugin, process.argv[2], process.env, out);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    warn(err.message);
    process.exitCode = 2;
  }
  out.flush();
}

/** Output is handed to the kernel in pieces of about this many characters. */
const PIECE = 64 * 1024;

/**
 * Standard output, written in pieces of about 64 KiB as the lines come: a config of thousands of
 * fields never exists as one string, and munin-node reads while the plugin still works.
 * A plain write to fd 1: on a pipe (munin-node's) process.stdout is a net.Socket whose creation
 * loads Node's stream and net modules, 2 to 4 % of the instructions of a whole plugin run
 * (callgrind).
 */
export class StdoutOutput implements Output {
  private lines: string[] = [];
  private length = 0;
  /** Non-blocking stdout that was full: everything after goes through Node's stream, in order. */
  private viaStream = false;
  private closed = false;

  write(text: string): void {
    this.lines.push(text);
    this.length += text.length;
    if (this.length >= PIECE) this.flush();
  }

  /** Writes what is pending, all of it, before returning. */
  flush(): void {
    const text = this.lines.join('');
    this.lines = [];
    this.length = 0;
    if (text === '' || this.closed) return;
    if (this.viaStream) {
      process.stdout.write(text);
      return;
    }
    let data: Buffer | null = null;
    let offset = 0;
    try {
      // A string goes to the kernel without a Buffer made here; blocking pipes take all of it.
      offset = writeSync(1, text);
      if (offset < Buffer.byteLength(text)) {
        data = Buffer.from(text);
        while (offset < data.length) offset += writeSync(1, data, offset);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        // A non-blocking stdout that is full: let Node's stream wait for it.
        this.viaStream = true;
        process.stdout.write((data ?? Buffer.from(text)).subarray(offset));
      } else if (code === 'EPIPE') {
        // The reader went away (munin-node gave up on us): one line, not a stack trace.
        this.closed = true;
        warn('stdout closed before all output was written');
        process.exitCode = 1;
      } else {
        throw err;
      }
    }
  }
}

/** What a plugin's problem line says of a failed system call: its code ("ENOENT"), else the error. */
export function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}

/** One problem line on stderr; never starts with '#', which munin would take as a comment. */
export function warn(message: string): void {
  process.stderr.write(`${process.argv[1]?.split('/').pop() ?? 'plugin'}: ${message}\n`);
}

/** The original plugins' cleaning: lowercase, '-' to '_', drop everything else not [a-z0-9_]. */
export function cleanName(raw: string): string {
  return raw.toLowerCase().replace(/-/g, '_').replace(/[^a-z0-9_]/g, '');
}

/**
 * Field names stay within this length so that `<host>-<plugin>-<field>-d.rrd` fits in a
 * 255-byte file name with room for a host name of up to 80 characters.
 */
export const MAX_FIELD_NAME = 160;

/**
 * node:crypto, loaded on first use: only collided or over-long names need a hash, and loading it
 * costs every plugin start about 13 million instructions, 2.5 % of Node's own start-up.
 */
function crypto(): typeof Crypto {
  // process.getBuiltinModule works in the CommonJS bundle and in the ES modules the tests run.
  if (typeof process.getBuiltinModule === 'function') return process.getBuiltinModule('node:crypto');
  return require('node:crypto') as typeof Crypto;
}

function shortHash(text: string): string {
  return crypto().createHash('sha1').update(text).digest('hex').slice(0, 8);
}

const VALID_NAME = /^[A-Za-z0-9_]*$/;

/** A candidate field name made valid and short enough; identity decides the hash of a long one. */
function fitFieldName(name: string, identity: string): string {
  // Most names are valid already: testing is cheaper than replacing in each of thousands.
  let valid = VALID_NAME.test(name) ? name : name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(valid)) valid = '_' + valid;
  if (valid === 'root') valid = '_root';
  if (valid.length > MAX_FIELD_NAME) valid = valid.slice(0, MAX_FIELD_NAME - 9) + '_' + shortHash(identity);
  return valid;
}

/**
 * Makes candidate field names valid, short enough and unique, one at a time in print order.
 * `identity` is what the field stands for (e.g. the configfs path); it decides the suffix that
 * tells two colliding fields apart, so the same tree always gives the same names. Of a group of
 * colliding names, the first in input order keeps the plain name.
 */
export class FieldNames {
  private readonly taken = new Set<string>();

  next(name: string, identity: string): string {
    let result = fitFieldName(name, identity);
    // Same identity twice would be a caller's bug; a counter keeps even that unique.
    for (let n = 1; this.taken.has(result); n++) {
      const suffix = '_' + shortHash(n === 1 ? identity : `${identity}#${n}`);
      result = fitFieldName(name, identity).slice(0, MAX_FIELD_NAME - suffix.length) + suffix;
    }
    this.taken.add(result);
    return result;
  }
}
