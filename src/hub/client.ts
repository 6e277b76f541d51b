/**
 * What a CLI needs to talk to a hub without loading one: the refusal type operations throw, and
 * the local socket's path and client. Kept free of heavy imports so `patchbay` answers quickly
 * against a running or remote hub (loading the whole hub takes seconds under tsx).
 */
import http from 'node:http';
import path from 'node:path';

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

export const socketPath = (dataDir: string): string => path.join(dataDir, 'hub.sock');

/** Sends one operation to a hub's socket. */
export function callLocalSocket(file: string, name: string, args: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(args ?? {});
    const req = http.request({ socketPath: file, path: `/ops/${name}`, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { result?: unknown; error?: { message: string; exitCode?: number } };
          if (parsed.error) reject(new OperationError(parsed.error.message, res.statusCode ?? 500, parsed.error.exitCode ?? 1));
          else resolve(parsed.result);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
