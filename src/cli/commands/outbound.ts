import type { Command } from 'commander';
import { attemptCommands } from './attempts.ts';
import { endpointCommands } from './endpoints.ts';
import { eventCommands } from './events.ts';

/** Outbound webhooks from the CLI: `events`, `endpoints`, `attempts` (and `listen`, its own file). */
export function outboundCommands(program: Command): void {
  eventCommands(program);
  endpointCommands(program);
  attemptCommands(program);
}
