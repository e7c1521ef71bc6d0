// Runs the built plugins through Debian's real munin-run, the way an administrator checks them
// (`munin-run lio_read config`), with settings passed as env.* lines of a plugin-conf.d file.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PLUGIN_LIST from '../../plugins/list.json' with { type: 'json' };

export const DIST_PLUGINS = fileURLToPath(new URL('../../dist/plugins', import.meta.url));
/** Every plugin, from the one list that build.mjs and the installer read too. */
export const PLUGIN_NAMES: readonly string[] = PLUGIN_LIST;
export type PluginName = string;

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/**
 * Under dir: a copy of the built plugins (libdir; munin-run runs them as user nobody, who may
 * not reach the checkout, say a clone into `mktemp -d`), a Munin service directory of symlinks
 * to them, as in /etc/munin/plugins, and a plugin-conf.d directory holding `[*]` with the
 * given env.* settings.
 */
export function muninSetup(dir: string, env: Record<string, string>): { libdir: string; servicedir: string; sconfdir: string } {
  const libdir = `${dir}/built-plugins`;
  const servicedir = `${dir}/plugins`;
  const sconfdir = `${dir}/plugin-conf.d`;
  if (!existsSync(libdir)) cpSync(DIST_PLUGINS, libdir, { recursive: true });
  mkdirSync(servicedir, { recursive: true });
  mkdirSync(sconfdir, { recursive: true });
  for (const name of PLUGIN_NAMES) {
    if (!existsSync(`${servicedir}/${name}`)) symlinkSync(`${libdir}/${name}`, `${servicedir}/${name}`);
  }
  // munin-node gives every plugin a state directory it may write (one per user).
  const state = `${dir}/plugin-state`;
  mkdirSync(state, { recursive: true });
  chmodSync(state, 0o777);
  const lines = Object.entries({ MUNIN_PLUGSTATE: state, ...env }).map(([k, v]) => `env.${k} ${v}`);
  writeFileSync(`${sconfdir}/lio-munin`, `[*]\n${lines.join('\n')}\n`);
  return { libdir, servicedir, sconfdir };
}

export function muninRun(
  dir: string,
  plugin: PluginName,
  mode: 'config' | 'autoconf' | undefined,
  env: Record<string, string>,
  processEnv: Record<string, string> = {},
): RunResult {
  const { servicedir, sconfdir } = muninSetup(dir, env);
  const args = ['--config', '/dev/null', '--ignore-systemd-properties', '--servicedir', servicedir, '--sconfdir', sconfdir, plugin];
  if (mode) args.push(mode);
  const result = spawnSync('munin-run', args, { encoding: 'utf8', env: { ...process.env, ...processEnv }, timeout: 30_000, maxBuffer: 256 << 20 });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** Parses `name.attr value` lines of config or fetch output into a map per field. */
export function parseFields(output: string): Map<string, Record<string, string>> {
  const fields = new Map<string, Record<string, string>>();
  for (const line of output.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([a-z_]+) (.*)$/.exec(line);
    if (!m) continue;
    const [, name, attr, value] = m;
    if (!fields.has(name!)) fields.set(name!, {});
    fields.get(name!)![attr!] = value!;
  }
  return fields;
}
