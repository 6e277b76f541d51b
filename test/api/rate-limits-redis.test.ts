/**
 * With REDIS_URL, rate-limit counters live in Redis, so two API processes share one allowance.
 * Two API instances on one database and one Redis stand for two processes here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { loadConfig, ManualClock, silentLogger } from '../../src/core/index.ts';
import { buildApi } from '../../src/api/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

const REDIS = process.env.REDIS_URL_FOR_TESTS ?? 'redis://127.0.0.1:6379';
let reachable = false;
try {
  const probe = new Redis(REDIS, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await probe.connect();
  reachable = (await probe.ping()) === 'PONG';
  probe.disconnect();
} catch {
  reachable = false;
}

describe.runIf(reachable)('rate limits in Redis', () => {
  let api: TestApi;
  let redis: Redis;
  let apps: FastifyInstance[];
  beforeAll(async () => {
    api = await createTestApi();
    redis = new Redis(REDIS);
    const config = loadConfig({ PATCHBAY_DATA_DIR: api.database.dataDir, REDIS_URL: REDIS });
    const build = () => buildApi({ config, database: api.database, logger: silentLogger, clock: new ManualClock(new Date()), metrics: new Registry(), redis, vault: api.vault });
    apps = [await build(), await build()];
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    redis.disconnect();
    await api.close();
  });

  it('shares one allowance between two API processes', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(api.keys.admin),
      payload: { name: 'shared', role: 'viewer', rateLimits: { management: { perMinute: 4, perHour: 100 } } },
    });
    const key = created.json().key as string;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await apps[i % 2]!.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(key) });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const keys = await redis.keys('pb:rl:*');
    expect(keys.length).toBeGreaterThan(0);
  });
});
