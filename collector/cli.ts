import type { Command } from 'commander';

/** Registers `snapshot stats|full`, `prune` and `run`. (Placeholder until the collector lands.) */
export function registerCollectorCommands(program: Command): void {
  void program;
}
