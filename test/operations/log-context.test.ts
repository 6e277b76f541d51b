/**
 * Every line logged while a request is handled carries its requestId (and the ids its route
 * names), every line logged while a job runs carries its jobId and jobType (and the ids its
 * payload names) — whichever logger wrote it, across timers and awaits, with concurrent requests
 * kept apart, and never a key twice on one line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { enqueue } from '../../src/queue/index.ts';
import type { HubContext, HubModule } from '../../src/hub/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';
import { sleep, startOpsHub, startReceiver, waitFor, type OpsHub, type Receiver } from './support.ts';

type Line = Record<string, any> & { raw: string };

let hub: HubContext;
const probeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post<{ Params: { id: string }; Body: { n: number } }>('/probe/connections/:id', { config: { public: true }, schema: { hide: true } }, async (request) => {
    const { n } = request.body;
    // The hub's own logger, not request.log: the ids come from the async context.
    hub.logger.info({ n }, 'probe request read its body');
    await sleep(5 + (n % 3) * 5);
    hub.logger.info({ n }, 'probe request after a timer');
    const job = await enqueue(hub.database.db, { type: 'probe.job', payload: { n, connectionId: `conn_job_${n}` } });
    await Promise.resolve().then(() => request.log.info({ n }, 'probe request through request.log'));
    return { jobId: job.id };
  });
};
const probe: HubModule = {
  name: 'probe',
  routes: [{ plugin: probeRoutes, absolute: true }],
  install(context) {
    hub = context;
    context.queue.register<{ n: number }>('probe.job', async ({ job, logger }) => {
      context.logger.info({ n: job.payload.n }, 'probe job started');
      await sleep(5);
      await new Promise<void>((resolve) => setImmediate(() => (logger.info({ n: job.payload.n }, 'probe job in a callback'), resolve())));
    });
  },
};

let h: OpsHub;
let receiver: Receiver;
let stripe: SimulatorHandle;

/** Every line as JSON, with its raw text. */
const lines = (): Line[] =>
  h
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((raw) => ({ ...(JSON.parse(raw) as Record<string, any>), raw }));

/** How often `"key":` starts a top-level field of a line (the lines here nest none of these keys). */
const count = (raw: string, key: string) => raw.split(`"${key}":`).length - 1;

beforeAll(async () => {
  receiver = await startReceiver(() => ({ status: 500 }));
  stripe = await startSimulator('stripe');
  h = await startOpsHub({ LOG_LEVEL: 'debug' }, { modules: [probe] });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await receiver?.close();
  await stripe?.close();
});

describe('log lines carry the request or job they belong to', () => {
  const runs: { n: number; requestId: string; jobId: string }[] = [];

  beforeAll(async () => {
    // Concurrent requests, each with its own timers: no line may take another's ids.
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (n) => {
        const res = await fetch(`${h.url}/probe/connections/conn_req_${n}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n }) });
        expect(res.status).toBe(200);
        const { jobId } = (await res.json()) as { jobId: string };
        runs.push({ n, requestId: res.headers.get('x-request-id')!, jobId });
      }),
    );
    await waitFor(() => lines().filter((l) => l.msg === 'probe job in a callback').length === 6 || undefined, 20_000, 'the probe jobs');
  });

  it('puts requestId and the route’s connectionId on every line of a request, whichever logger writes it', () => {
    for (const { n, requestId } of runs) {
      const own = lines().filter((l) => l.requestId === requestId);
      // At debug, Fastify's "incoming request" too (at info the completed line alone says it).
      expect(own.map((l) => l.msg)).toEqual(expect.arrayContaining(['incoming request', 'probe request read its body', 'probe request after a timer', 'probe request through request.log', 'request completed']));
      expect(own.find((l) => l.msg === 'request completed'), 'the request line carries its route’s ids').toMatchObject({ connectionId: `conn_req_${n}`, req: { method: 'POST' }, res: { statusCode: 200 } });
      for (const line of lines().filter((l) => l.n === n && l.msg.startsWith('probe request'))) {
        expect(line, line.raw).toMatchObject({ requestId, connectionId: `conn_req_${n}` });
        expect(line.jobId).toBeUndefined();
      }
    }
  });

  it('puts jobId, jobType and the payload’s connectionId on every line of a job, and not the request that enqueued it', () => {
    for (const { n, jobId } of runs) {
      const own = lines().filter((l) => l.n === n && l.msg.startsWith('probe job'));
      expect(own.map((l) => l.msg).sort()).toEqual(['probe job in a callback', 'probe job started']);
      for (const line of own) {
        expect(line, line.raw).toMatchObject({ jobId, jobType: 'probe.job', connectionId: `conn_job_${n}` });
        expect(line.requestId, line.raw).toBeUndefined();
      }
      // The queue's own line about the job is in its scope too.
      expect(lines().find((l) => l.msg === 'job completed' && l.jobId === jobId)).toMatchObject({ jobType: 'probe.job', connectionId: `conn_job_${n}` });
    }
  });

  it('never writes a key twice on one line (a logger that binds an id itself keeps it once)', () => {
    expect(lines().length).toBeGreaterThan(30);
    for (const line of lines()) {
      for (const key of ['requestId', 'jobId', 'jobType', 'connectionId', 'organizationId', 'environmentId', 'endpointId']) expect(count(line.raw, key), `${key} in ${line.raw}`).toBeLessThanOrEqual(1);
    }
  });

  it('gives the lines of real work their ids: a failed delivery its job and endpoint, a proxy call its request and connection', async () => {
    expect((await h.api('POST', '/api/v1/event-types', { name: 'order.placed' })).status).toBe(201);
    const endpoint = await h.api('POST', '/api/v1/endpoints', { url: `${receiver.url}/hooks` });
    expect(endpoint.status).toBe(201);
    const published = await h.api('POST', '/api/v1/events', { type: 'order.placed', data: { orderId: 'o_1' } });
    expect(published.status).toBe(201);
    const failed = await waitFor(() => lines().find((l) => l.msg === 'delivery attempt failed' && l.messageId === published.body.id), 20_000, 'the failed attempt');
    expect(failed).toMatchObject({ jobId: expect.stringMatching(/^job_/), jobType: 'outbound.dispatch', endpointId: endpoint.body.id, organizationId: h.seed.organization.id });
    expect(failed.requestId).toBeUndefined();

    expect((await h.api('POST', '/api/v1/integrations', { connectorKey: 'stripe', baseUrl: stripe.baseUrl })).status).toBe(201);
    const connection = await h.api('POST', '/api/v1/connections', { integration: 'stripe', endCustomerId: 'c', credentials: { apiKey: 'sk_test_patchbaysimulator0000000001' } });
    expect(connection.status).toBe(201);
    const proxied = await h.api('GET', `/api/v1/proxy/${connection.body.id}/v1/account`);
    expect(proxied.status).toBe(200);
    const requestId = String(proxied.headers['x-request-id']);
    // One line for the proxied call: the request's own, carrying the provider's answer.
    const own = await waitFor(() => {
      const found = lines().filter((l) => l.requestId === requestId);
      return found.some((l) => l.msg === 'request completed') ? found : undefined;
    }, 5_000, 'the proxied request line');
    expect(own.filter((l) => l.level >= 30).map((l) => l.msg)).toEqual(['request completed']);
    expect(own.find((l) => l.msg === 'request completed')).toMatchObject({
      connectionId: connection.body.id,
      organizationId: h.seed.organization.id,
      environmentId: expect.stringMatching(/^env_/),
      req: { method: 'GET', url: `/api/v1/proxy/${connection.body.id}/v1/account` },
      res: { statusCode: 200 },
      provider: 'stripe',
      providerUrl: `${stripe.baseUrl}/v1/account`,
      providerStatus: 200,
      providerMs: expect.any(Number),
      attempts: 1,
    });
  });
});
