/**
 * The crash edge of idempotency keys, with a real SIGKILL: a request holding an `Idempotency-Key`
 * is in flight (its event committed, no answer yet) when its hub process is killed. The key is
 * held by that process's lease — renewed while it lived, so the request was "still in progress" —
 * and once the lease runs out a retry runs again: the event is not published twice (its eventId
 * dedupes it) and the answer names the committed one. Never 409 for the key's whole 24 h.
 */
import fs from 'node:fs';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { childEnv, startNode, type Child } from '../support/process.ts';
import { copyPgliteTemplate, createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../support/db.ts';

const FIXTURE = 'test/api/fixtures/idempotency-hub.ts';
const LEASE_SECONDS = 4;

/** The fixture as one node process (not behind the tsx launcher), so SIGKILL reaches the hub itself. */
async function startHub(env: NodeJS.ProcessEnv): Promise<{ child: Child; url: string; key: string }> {
  const child = startNode(FIXTURE, env);
  const [line] = await child.waitFor(/^\{"url".*\}$/m, 120_000);
  return { child, ...(JSON.parse(line) as { url: string; key: string }) };
}

const publish = (hub: { url: string; key: string }, idempotencyKey: string) =>
  request(`${hub.url}/api/v1/crash-test/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.key}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ eventId: 'order-1' }),
    headersTimeout: 60_000,
  }).then(async (res) => ({ status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, any> }));

describe('an Idempotency-Key whose request was in flight when the hub died', () => {
  it('is 409 only while its process lease runs; then the retry answers with the committed event', { timeout: 480_000 }, async () => {
    const dataDir = copyPgliteTemplate('idem-crash');
    const url = onPostgres() ? await createPostgresDatabase() : undefined;
    const env = childEnv({
      PATCHBAY_DATA_DIR: dataDir,
      PATCHBAY_IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS),
      ...(url ? { DATABASE_URL: url, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS } : {}),
    });
    let hub: Awaited<ReturnType<typeof startHub>> | undefined;
    try {
      hub = await startHub({ ...env, HOLD_PUBLISH: '1' });
      const inFlight = publish(hub, 'crash-key-1').catch((err: unknown) => err);
      const [, committed, messageId] = (await hub.child.waitFor(/holding (\d+) (\S+)/, 60_000)) as unknown as [string, string, string];
      expect(committed).toBe('201');

      // While the process lives its heartbeat renews the lease: still in progress past one lease.
      await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 1.5) * 1000));
      const meanwhile = await publish(hub, 'crash-key-1');
      expect(meanwhile.status).toBe(409);
      expect(meanwhile.body.detail).toContain('still in progress');
      expect(Number(meanwhile.headers['retry-after'])).toBeLessThanOrEqual(LEASE_SECONDS);

      hub.child.process.kill('SIGKILL');
      await hub.child.exited;
      const killedAt = Date.now();
      expect(await inFlight).toBeInstanceOf(Error);

      hub = await startHub(env);
      const seen: { status: number; at: number; retryAfter?: number }[] = [];
      let answer: Awaited<ReturnType<typeof publish>> | undefined;
      while (!answer) {
        const res = await publish(hub, 'crash-key-1');
        seen.push({ status: res.status, at: Date.now() - killedAt, retryAfter: Number(res.headers['retry-after']) });
        if (res.status === 409) await new Promise((r) => setTimeout(r, 250));
        else answer = res;
        expect(Date.now() - killedAt, JSON.stringify(seen)).toBeLessThan(120_000);
      }
      // Every 409 came within the lease after the kill (plus the time a retry takes), each saying when to come back.
      for (const s of seen.filter((x) => x.status === 409)) {
        expect(s.at).toBeLessThan((LEASE_SECONDS + 3) * 1000);
        expect(s.retryAfter).toBeGreaterThanOrEqual(1);
        expect(s.retryAfter).toBeLessThanOrEqual(LEASE_SECONDS);
      }
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
      expect(answer.body.id).toBe(messageId);
      expect(answer.body.duplicate).toBeTruthy();

      const replay = await publish(hub, 'crash-key-1');
      expect(replay.status).toBe(answer.status);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.id).toBe(messageId);
      expect(await hub.child.stop('SIGTERM')).toBe(0);
      hub = undefined;
    } finally {
      if (hub) await hub.child.stop('SIGKILL');
      if (url) await dropPostgresDatabase(url);
      fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    }
  });
});
