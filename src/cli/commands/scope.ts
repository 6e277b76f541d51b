import type { Command } from 'commander';

/**
 * `--org` and `--env`: the environment a command acts on through a local hub or database. Against
 * a remote hub (PATCHBAY_URL) the API key decides, and these are ignored. Commands on one object
 * by id (an endpoint, a message) find its environment themselves.
 */
export const scoped = (command: Command): Command =>
  command.option('--org <slug>', 'organization (local hub or database)').option('--env <name>', 'environment (local hub or database)');

/** The scope options of a command, for the operation's arguments. */
export const scopeArgs = (opts: Record<string, unknown>) => ({ org: opts.org, env: opts.env });
