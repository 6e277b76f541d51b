import type { Command } from 'commander';
import { connectionCommands } from './connections.ts';
import { integrationCommands } from './integrations.ts';
import { recordCommands } from './records.ts';
import { sourceCommands } from './sources.ts';
import { syncCommands } from './syncs.ts';

/** The resources a user manages every day: `integrations`, `connections`, `syncs`, `records`, `sources`. */
export function resourceCommands(program: Command): void {
  integrationCommands(program);
  connectionCommands(program);
  syncCommands(program);
  recordCommands(program);
  sourceCommands(program);
}
