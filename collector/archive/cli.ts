import type { Command } from 'commander';

/** Registers `archive list|show|grep|series|diff|plot`. (Placeholder until the reader lands.) */
export function registerArchiveCommands(program: Command): void {
  void program;
}
