/** How the CLI speaks: answers on stdout (human or --json), problems on stderr, exit codes that mean something. */
import { OperationError } from '../hub/client.ts';
import { ConfigError, toError } from '../core/index.ts';
import { DataDirLockedError } from '../db/lock.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, checkFailed: 4, locked: 5 } as const;

export function print(value: unknown, json: boolean, human: (value: never) => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human(value as never)}\n`);
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)';
  const cell = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? '-' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

/** Prints a failure the way a person can act on it and returns the exit code. */
export function fail(err: unknown): number {
  if (err instanceof OperationError) {
    process.stderr.write(`patchbay: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof ConfigError) {
    process.stderr.write(`patchbay: configuration: ${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof DataDirLockedError) {
    process.stderr.write(`patchbay: ${err.message}\n`);
    return EXIT.locked;
  }
  const error = toError(err);
  if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
    process.stderr.write(`patchbay: cannot reach the database or hub (${error.message})\n`);
    return EXIT.failure;
  }
  process.stderr.write(`patchbay: ${error.message}\n`);
  return EXIT.failure;
}
