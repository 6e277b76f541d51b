/**
 * Operations: what the CLI does to a hub's data. Each runs against a HubContext, so the same
 * code serves a CLI that opened the database itself and a running hub asked over its socket.
 */
import { ProblemError } from '../../core/index.ts';
import type { HubContext } from '../context.ts';
import { OperationError } from '../client.ts';

export { OperationError };
import { keyOperations } from './keys.ts';
import { jobOperations } from './jobs.ts';
import { doctor } from './doctor.ts';
import { adminOperations } from './admin.ts';
import { inboundOperations } from './inbound.ts';
import { outboundOperations } from './outbound.ts';
import { eventTypeOperations } from './event-types.ts';
import { integrationOperations } from './integrations.ts';
import { connectionOperations } from './connections.ts';
import { syncOperations } from './syncs.ts';
import { sourceOperations } from './sources.ts';
import { alertOperations } from './alerts.ts';

export type OperationContext = Pick<HubContext, 'config' | 'database' | 'logger' | 'clock' | 'vault'> & {
  /** The running hub's API address, when the operation runs inside it (over its socket). */
  hubUrl?: string | undefined;
};
export type Operation = (context: OperationContext, args: Record<string, unknown>) => Promise<unknown>;

const operations = new Map<string, Operation>(
  Object.entries({ ...keyOperations, ...jobOperations, ...adminOperations, ...inboundOperations, ...outboundOperations, ...eventTypeOperations, ...alertOperations, ...integrationOperations, ...connectionOperations, ...syncOperations, ...sourceOperations, doctor }),
);

/** Later modules add their operations (e.g. `inbound.list`) here. */
export function registerOperation(name: string, operation: Operation): void {
  operations.set(name, operation);
}

export async function runOperation(context: OperationContext, name: string, args: unknown): Promise<unknown> {
  const operation = operations.get(name);
  if (!operation) throw new OperationError(`unknown operation ${name}`, 404);
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new OperationError('arguments must be an object');
  try {
    return await operation(context, args as Record<string, unknown>);
  } catch (err) {
    // The domain speaks in problems (as the API answers them); the CLI shows the same words.
    if (err instanceof ProblemError) throw new OperationError(problemText(err), err.status);
    throw err;
  }
}

function problemText(problem: ProblemError): string {
  const fields = (problem.errors ?? []).map((e) => `  ${e.field}: ${e.message}`);
  return [problem.detail ?? problem.title, ...fields].join('\n');
}

/** Reads an optional string argument. */
export function text(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new OperationError(`--${name} must be text`);
  return value;
}

export function required(args: Record<string, unknown>, name: string): string {
  const value = text(args, name);
  if (value === undefined) throw new OperationError(`--${name} is required`);
  return value;
}
