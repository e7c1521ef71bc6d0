// The entry point of the packages' one executable (a Node.js single executable application): run
// through a link named after a plugin it is that plugin, as lio-collector the collector, as
// lio-munin the installer. Each program's modules are evaluated only when it is the one run.
import { basename } from 'node:path';

/** Program name -> loads (and so runs) that program's entry module. */
export type Programs = Readonly<Record<string, () => Promise<unknown>>>;

/**
 * Runs the program named by the link this executable was started through (process.argv0, the
 * path it was started as). A Node.js single executable application also gets that path as
 * process.argv[1], so the program sees the link as its script, as under `node dist/plugins/lio_read`.
 */
export function runProgram(programs: Programs, startedAs = process.argv0): Promise<unknown> {
  const name = basename(startedAs);
  const load = Object.hasOwn(programs, name) ? programs[name] : undefined;
  if (!load) {
    process.stderr.write(
      `lio-munin: this executable runs as one of: ${Object.keys(programs).join(', ')}, through a link of that name; it was started as ${name}\n`,
    );
    process.exitCode = 2;
    return Promise.resolve();
  }
  return load().catch((err: unknown) => {
    process.stderr.write(`${name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
