import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/core/index.ts';

/** A logger whose lines a test can read back (to check that nothing secret was written). */
export function captureLogs(level: 'info' | 'debug' | 'trace' = 'debug'): { logger: Logger; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level, destination: stream });
  return {
    logger,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
