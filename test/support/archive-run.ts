// Running `lio-collector archive ...` in tests: in-process through commander (fast, for most
// tests), or as the built executable (end-to-end: exit codes, TTY detection, pipes).
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { Command } from 'commander';
import { registerArchiveCommands } from '../../collector/archive/cli.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `archive ARGS` in this process, as main.ts would (errors become one stderr line, exit 1). */
export async function archiveCommand(args: string[], now = new Date()): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const program = new Command('lio-collector').exitOverride();
  program.configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerArchiveCommands(program, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    now: () => now,
    setExitCode: (c) => (code = c),
  });
  try {
    await program.parseAsync(['archive', ...args], { from: 'user' });
  } catch (err) {
    const e = err as Error & { exitCode?: number; code?: string };
    if (e.code?.startsWith('commander.')) code = e.exitCode ?? 1;
    else {
      stderr += `lio-collector: ${e.message}\n`;
      code = 1;
    }
  }
  return { code, stdout, stderr };
}

export const BUILT_CLI = 'dist/collector/lio-collector';

/** Runs the built executable (build it first: `node build.mjs`). */
export function builtCli(args: string[], options: SpawnSyncOptions = {}): RunResult {
  const result = spawnSync(process.execPath, [BUILT_CLI, ...args], { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}
