/**
 * Operations: what the CLI does to a hub's data. Each runs against a HubContext, so the same
 * code serves a CLI that opened the database itself and a running hub asked over its socket.
 */
import type { HubContext } from '../context.ts';
import { keyOperations } from './keys.ts';
import { jobOperations } from './jobs.ts';
import { doctor } from './doctor.ts';
import { adminOperations } from './admin.ts';
import { inboundOperations } from './inbound.ts';

export type OperationContext = Pick<HubContext, 'config' | 'database' | 'logger' | 'clock' | 'vault'>;
export type Operation = (context: OperationContext, args: Record<string, unknown>) => Promise<unknown>;

/** A refusal the user can act on: its message is shown as is, with its exit code. */
export class OperationError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    /** 3 for something that does not exist, 2 for other refusals. */
    readonly exitCode = status === 404 ? 3 : 2,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

const operations = new Map<string, Operation>(Object.entries({ ...keyOperations, ...jobOperations, ...adminOperations, ...inboundOperations, doctor }));

/** Later modules add their operations (e.g. `inbound.list`) here. */
export function registerOperation(name: string, operation: Operation): void {
  operations.set(name, operation);
}

export async function runOperation(context: OperationContext, name: string, args: unknown): Promise<unknown> {
  const operation = operations.get(name);
  if (!operation) throw new OperationError(`unknown operation ${name}`, 404);
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new OperationError('arguments must be an object');
  return operation(context, args as Record<string, unknown>);
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
