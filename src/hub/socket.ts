/**
 * The hub's local socket. In embedded mode the running hub owns the data directory, so CLI
 * commands send their operation here instead of opening the database. The socket lives in the
 * data directory with mode 0600: only the user who runs the hub can connect, which is the
 * authentication.
 */
import fs from 'node:fs';
import http from 'node:http';
import { toError } from '../core/index.ts';
import { OperationError, runOperation, type OperationContext } from './operations/index.ts';

export interface LocalSocket {
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export async function startLocalSocket(file: string, context: OperationContext): Promise<LocalSocket> {
  fs.rmSync(file, { force: true });
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const match = /^\/ops\/([a-z.-]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return reply(404, { error: { message: 'unknown operation' } });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      let args: unknown;
      try {
        args = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        return reply(400, { error: { message: 'the arguments are not valid JSON' } });
      }
      runOperation(context, match[1]!, args).then(
        (result) => reply(200, { result }),
        (err: unknown) => {
          const error = toError(err);
          if (!(err instanceof OperationError)) context.logger.error({ err: error, operation: match[1] }, 'local operation failed');
          reply(err instanceof OperationError ? err.status : 500, { error: { message: error.message, exitCode: err instanceof OperationError ? err.exitCode : 1 } });
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => resolve());
  });
  fs.chmodSync(file, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        fs.rmSync(file, { force: true });
      }),
  };
}
