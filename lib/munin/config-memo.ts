// A plugin's config kept in $MUNIN_PLUGSTATE with everything it was made from, and printed again
// while all of that is unchanged. munin-node asks for the config every five minutes, and a
// config depends only on the plugin's build, its environment (settings) and the inputs the plugin
// names (e.g. /proc/drbd without its counters): on a steady system it is the same text each time,
// and making it again is most of what a 100-minor drbd_state config costs (bench/README.md).
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { readSmallFile } from '../small-file.js';
import type { Output } from './protocol.js';

/** Far more than any config: a larger file is not ours, and is not read. */
const MAX_BYTES = 64 << 20;

export class ConfigMemo {
  /** The config kept for exactly these inputs; undefined when there is none. */
  readonly output: string | undefined;
  private readonly parts: string[] = [];

  private constructor(
    private readonly path: string,
    private readonly key: string,
  ) {
    // The file: the lengths of the key and of the config on a line, the key, the config.
    const read = readSmallFile(path, MAX_BYTES, 'utf8');
    if (!('text' in read)) return;
    const text = read.text;
    const keyStart = text.indexOf('\n') + 1;
    const lengths = text.slice(0, keyStart);
    const outputStart = keyStart + key.length;
    if (lengths === `${key.length} ${text.length - outputStart}\n` && text.startsWith(key, keyStart)) this.output = text.slice(outputStart);
  }

  /**
   * The memo of this program's config for inputs (a text holding all a config depends on besides
   * the build and the environment); undefined where nothing can be kept (no MUNIN_PLUGSTATE, or
   * the program's own file cannot be found, so a new build could not be told from this one).
   */
  static open(env: NodeJS.ProcessEnv, inputs: string): ConfigMemo | undefined {
    const program = process.argv[1];
    if (!env.MUNIN_PLUGSTATE || !program) return undefined;
    let build: string;
    try {
      // An upgrade or a rebuild replaces or rewrites the file: another inode, size or time.
      const stat = statSync(program);
      build = `${stat.dev}:${stat.ino} ${stat.size} ${stat.mtimeMs}`;
    } catch {
      return undefined;
    }
    // Sorted: munin-node and munin-run set their variables in an order of their own each time.
    const settings = JSON.stringify(Object.keys(env).sort().map((name) => [name, env[name]]));
    const key = `${program} ${build}\n${settings}\n${inputs}`;
    return new ConfigMemo(`${env.MUNIN_PLUGSTATE}/lio-munin-${basename(program)}.config`, key);
  }

  /** out, with everything written to it also kept for save(). */
  recording(out: Output): Output {
    return {
      write: (text: string) => {
        this.parts.push(text);
        out.write(text);
      },
    };
  }

  /**
   * Keeps what was recorded for these inputs. Not synced to disk: after a crash the memo is
   * missing or whole, and a missing one is made again. A state directory that cannot be written
   * costs only the speed: nothing is reported (the plugin's own state file reports it).
   */
  save(): void {
    const output = this.parts.join('');
    try {
      writeFileAtomic(this.path, `${this.key.length} ${output.length}\n${this.key}${output}`, 0o644, { durable: false });
    } catch {
      // see above
    }
  }
}
