import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { enqueue, jobs } from '../../src/queue/index.ts';
import { runOperation } from '../../src/hub/index.ts';
import { createVault } from '../../src/credentials/index.ts';
import { loadConfig, silentLogger, systemClock } from '../../src/core/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

let api: TestApi;
let devFailed: string;
let prodFailed: string;
beforeAll(async () => {
  api = await createTestApi();
  const env = (name: string) => api.seed.environments.find((e) => e.name === name)!.id;
  const organizationId = api.seed.organization.id;
  const add = async (environment: string, lastError: string) => {
    const job = await enqueue(api.database.db, { type: 'test.work', payload: { secret: 'not for the API' }, organizationId, environmentId: env(environment) });
    await api.database.db.update(jobs).set({ state: 'failed', attempts: 3, lastError }).where(eq(jobs.id, job.id));
    return job.id;
  };
  devFailed = await add('dev', 'provider answered 500');
  prodFailed = await add('prod', 'timeout');
  await enqueue(api.database.db, { type: 'system.tick', payload: {} });
});
afterAll(async () => {
  await api.close();
});

describe('jobs API', () => {
  it('shows each environment only its own jobs, with their last error and without payloads', async () => {
    const dev = await api.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(api.keys.viewer) });
    expect(dev.statusCode).toBe(200);
    const ids = dev.json().data.map((j: { id: string }) => j.id);
    expect(ids).toEqual([devFailed]);
    expect(dev.json().data[0]).toMatchObject({ state: 'failed', lastError: 'provider answered 500', attempts: 3 });
    expect(dev.body).not.toContain('not for the API');
    const prod = await api.app.inject({ method: 'GET', url: '/api/v1/jobs?state=failed', headers: bearer(api.keys.prod) });
    expect(prod.json().data.map((j: { id: string }) => j.id)).toEqual([prodFailed]);
    const foreign = await api.app.inject({ method: 'GET', url: `/api/v1/jobs/${prodFailed}`, headers: bearer(api.keys.viewer) });
    expect(foreign.statusCode).toBe(404);
  });

  it('retries a failed job for jobs:write, refuses viewers and a job that is not failed', async () => {
    const viewer = await api.app.inject({ method: 'POST', url: `/api/v1/jobs/${devFailed}/retry`, headers: bearer(api.keys.viewer) });
    expect(viewer.statusCode).toBe(403);
    const retried = await api.app.inject({ method: 'POST', url: `/api/v1/jobs/${devFailed}/retry`, headers: bearer(api.keys.developer) });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ state: 'pending', attempts: 0 });
    const again = await api.app.inject({ method: 'POST', url: `/api/v1/jobs/${devFailed}/retry`, headers: bearer(api.keys.developer) });
    expect(again.statusCode).toBe(409);
  });

  it('retries from the CLI operation, which sees every tenant', async () => {
    const context = { config: loadConfig({ PATCHBAY_DATA_DIR: api.database.dataDir }), database: api.database, logger: silentLogger, clock: systemClock, vault: createVault({ keys: [{ id: 'k', key: Buffer.alloc(32, 1) }] }) };
    const listed = (await runOperation(context, 'jobs.list', { state: 'failed' })) as { data: { id: string }[] };
    expect(listed.data.map((j) => j.id)).toEqual([prodFailed]);
    const retried = (await runOperation(context, 'jobs.retry', { id: prodFailed })) as { state: string };
    expect(retried.state).toBe('pending');
    await expect(runOperation(context, 'jobs.retry', { id: 'job_nope' })).rejects.toThrow(/not found/);
  });
});
