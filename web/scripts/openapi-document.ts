/**
 * The hub's own OpenAPI document, read from a hub built in this process (no network, no port):
 * the same `createHub` that `patchbay serve` runs, on a throw-away embedded database unless one
 * is handed in, with a fixed public URL so the document does not depend on where it was made.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, createLogger } from '../../src/core/index.ts';
import { createHub } from '../../src/hub/index.ts';
import type { Database } from '../../src/db/index.ts';

/** The `servers` URL written into the checked-in document. */
export const DOCUMENT_PUBLIC_URL = 'http://localhost:4000';

export async function liveOpenApiDocument(options: { database?: Database; dataDir?: string } = {}): Promise<Record<string, unknown>> {
  const ownDir = options.dataDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-openapi-'));
  const dataDir = options.dataDir ?? ownDir!;
  try {
    const config = loadConfig({ PATCHBAY_DATA_DIR: dataDir, PUBLIC_URL: DOCUMENT_PUBLIC_URL, LOG_LEVEL: 'silent' });
    const logger = createLogger({ level: 'silent' });
    const hub = await createHub({ config, role: 'api', logger, ...(options.database ? { database: options.database } : {}) });
    try {
      const res = await hub.app!.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      if (res.statusCode !== 200) throw new Error(`GET /api/v1/openapi.json answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return res.json() as Record<string, unknown>;
    } finally {
      await hub.stop();
    }
  } finally {
    if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
  }
}
