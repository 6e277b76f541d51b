import type { Command } from 'commander';
import { attemptCommands } from './attempts.ts';
import { endpointCommands } from './endpoints.ts';
import { eventCommands } from './events.ts';
import { eventTypeCommands } from './event-types.ts';

/** Outbound webhooks from the CLI: `event-types`, `events`, `endpoints`, `attempts` (and `listen`, its own file). */
export function outboundCommands(program: Command): void {
  eventTypeCommands(program);
  eventCommands(program);
  endpointCommands(program);
  attemptCommands(program);
}
