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
  fields: Field[];
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

export function renderConfig(graph: Graph): string {
  const lines = graph.attributes.map(([key, value]) => `${key} ${value}`);
  for (const field of graph.fields) {
    lines.push(`${field.name}.label ${field.label}`);
    if (field.info) lines.push(`${field.name}.info ${field.info}`);
    lines.push(`${field.name}.type ${field.type}`);
    if (field.min !== undefined) lines.push(`${field.name}.min ${field.min}`);
    if (field.cdef) lines.push(`${field.name}.cdef ${field.cdef}`);
    if (field.draw) lines.push(`${field.name}.draw ${field.draw}`);
  }
  return lines.map((line) => line + '\n').join('');
}

export function renderValues(graph: Graph): string {
  return graph.fields.map((f) => `${f.name}.value ${f.value ?? 'U'}\n`).join('');
}

/**
 * Runs a plugin for argv mode (none = fetch, `config`, `autoconf`) and returns what to print.
 * Never throws for missing or odd input: plugins report unknowns as U and exit 0.
 */
export function runMode(plugin: Plugin, mode: string | undefined, env: NodeJS.ProcessEnv): string {
  switch (mode) {
    case 'autoconf':
      return plugin.autoconf() + '\n';
    case 'config': {
      // dirtyconfig: the master skips the fetch run, so config must carry the values too.
      const dirty = env.MUNIN_CAP_DIRTYCONFIG === '1';
      const graph = plugin.graph(dirty);
      return renderConfig(graph) + (dirty ? renderValues(graph) : '');
    }
    case undefined:
    case '':
    case 'fetch':
      return renderValues(plugin.graph(true, false));
    default:
      throw new UsageError(`unknown mode "${mode}" (expected config, autoconf or none)`);
  }
}

export class UsageError extends Error {}

/** Entry point shared by all plugins: prints, and exits non-zero only for a wrong mode. */
export function main(plugin: Plugin): void {
  try {
    writeStdout(runMode(plugin, process.argv[2], process.env));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    warn(err.message);
    process.exitCode = 2;
  }
}

/**
 * Writes text to stdout, all of it, before returning. On a pipe (munin-node's) process.stdout is
 * a net.Socket whose creation loads Node's stream and net modules: 2 to 4 % of the instructions
 * of a whole plugin run (callgrind). A plain write to fd 1 does the same job.
 */
function writeStdout(text: string): void {
  const data = Buffer.from(text);
  let offset = 0;
  try {
    while (offset < data.length) offset += writeSync(1, data, offset);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EAGAIN') {
      // A non-blocking stdout that is full: let Node's stream wait for it.
      process.stdout.write(data.subarray(offset));
    } else if (code === 'EPIPE') {
      // The reader went away (munin-node gave up on us): one line, not a stack trace.
      warn('stdout closed before all output was written');
      process.exitCode = 1;
    } else {
      throw err;
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

/**
 * Makes candidate field names valid, short enough and unique.
 * `identity` is what the field stands for (e.g. the configfs path); it decides the suffix that
 * tells two colliding fields apart, so the same tree always gives the same names. Of a group of
 * colliding names, the first in input order keeps the plain name.
 */
export function uniqueFieldNames(candidates: Array<{ name: string; identity: string }>): string[] {
  const fit = (name: string, identity: string): string => {
    // Most names are valid already: testing is cheaper than replacing in each of thousands.
    let valid = VALID_NAME.test(name) ? name : name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(valid)) valid = '_' + valid;
    if (valid === 'root') valid = '_root';
    if (valid.length > MAX_FIELD_NAME) valid = valid.slice(0, MAX_FIELD_NAME - 9) + '_' + shortHash(identity);
    return valid;
  };
  const taken = new Set<string>();
  return candidates.map(({ name, identity }) => {
    let result = fit(name, identity);
    // Same identity twice would be a caller's bug; a counter keeps even that unique.
    for (let n = 1; taken.has(result); n++) {
      const suffix = '_' + shortHash(n === 1 ? identity : `${identity}#${n}`);
      result = fit(name, identity).slice(0, MAX_FIELD_NAME - suffix.length) + suffix;
    }
    taken.add(result);
    return result;
  });
}
