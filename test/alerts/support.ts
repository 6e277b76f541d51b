/**
 * Operations tests run the real API, queue, outbound delivery and operations service on a real
 * database with a ManualClock, against provider simulators, channel simulators and a real SMTP
 * sink on loopback.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import { ManualClock } from '../../src/core/index.ts';
import { enqueue, createQueue, type Queue } from '../../src/queue/index.ts';
import { loadRegistry } from '../../src/connectors/index.ts';
import { registerOutbound, type Outbound } from '../../src/webhooks/outbound/index.ts';
import { outboundRoutes } from '../../src/api/routes/outbound/index.ts';
import { createOperations, HEALTH_DEFAULTS, healthChecks, type Operations } from '../../src/alerts/index.ts';
import { alertRoutes } from '../../src/api/routes/alerts.ts';
import { alertRuleRoutes } from '../../src/api/routes/alert-rules.ts';
import { notificationChannelRoutes } from '../../src/api/routes/notification-channels.ts';
import { connectionHealthRoutes } from '../../src/api/routes/connection-health.ts';
import { rows } from '../../src/db/index.ts';
import { bearer, createTestApi, type TestApi } from '../support/api.ts';

export { waitFor, sleep } from '../queue/helpers.ts';
export { startReceiver, type Receiver } from '../webhooks/outbound/support.ts';

export const MINUTE = 60_000;

export interface OpsHarness {
  api: TestApi;
  clock: ManualClock;
  queue: Queue;
  ops: Operations;
  outbound: Outbound;
  devId: string;
  call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  /** Moves the clock and wakes the local workers, so jobs due by then run. */
  advance(ms: number): Promise<void>;
  /** Checks recorded for a connection so far. */
  checks(connectionId: string): Promise<(typeof healthChecks.$inferSelect)[]>;
  /** Moves one check interval on, plans, and waits until the connection has one more check. */
  nextCheck(connectionId: string): Promise<typeof healthChecks.$inferSelect>;
  close(): Promise<void>;
}

export async function opsHarness(options: { startQueue?: boolean } = {}): Promise<OpsHarness> {
  await loadRegistry();
  const clock = new ManualClock(Date.now());
  let queue!: Queue;
  let ops!: Operations;
  let outbound!: Outbound;
  const plugin: FastifyPluginAsyncTypebox = async (app) => {
    const { database, logger, vault } = app.deps;
    queue = createQueue({ database, logger, clock, concurrency: 10, leaseSeconds: 30 });
    outbound = registerOutbound({ queue, database, vault, logger, clock, settings: { dispatchBudgetMs: 2_000 } });
    ops = createOperations({ database, vault, clock, logger, publicUrl: 'http://localhost:4000', retentionDays: 30, health: HEALTH_DEFAULTS, channelTimeoutMs: 3_000 });
    ops.install(queue);
    await app.register(outboundRoutes, { outbound });
    await app.register(alertRoutes);
    await app.register(alertRuleRoutes);
    await app.register(notificationChannelRoutes, { ops });
    await app.register(connectionHealthRoutes, { ops });
  };
  const api = await createTestApi({ clock, plugins: [{ plugin }] });
  if (options.startQueue !== false) await queue.start();
  const devId = api.seed.environments.find((e) => e.name === 'dev')!.id;
  const db = api.database.db;
  const checks = (connectionId: string) => db.select().from(healthChecks).where(eq(healthChecks.connectionId, connectionId)).orderBy(healthChecks.checkedAt);
  const harness: OpsHarness = {
    api,
    clock,
    queue,
    ops,
    outbound,
    devId,
    async call(method, url, body, key = api.keys.admin) {
      const res = await api.app.inject({ method, url, headers: bearer(key), ...(body === undefined ? {} : { payload: body as object }) });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },
    async advance(ms) {
      clock.advance(ms);
      // An enqueue outside a transaction wakes this process's workers; a job type nobody handles.
      await enqueue(db, { type: 'test.wake', payload: {} }, { clock });
    },
    checks,
    async nextCheck(connectionId) {
      const before = (await checks(connectionId)).length;
      await ops.planChecks(); // gives a new connection its place in the interval
      const [state] = await rows<{ next_check_at: string | Date }>(db, sql`select next_check_at from health_states where connection_id = ${connectionId}`);
      if (state) clock.set(new Date(new Date(state.next_check_at).getTime() + 1));
      await ops.planChecks();
      const { waitFor } = await import('../queue/helpers.ts');
      return waitFor(async () => (await checks(connectionId))[before], 15_000, `check ${before + 1} of ${connectionId}`);
    },
    async close() {
      await queue.stop({ graceMs: 0 });
      await outbound.stop();
      await ops.stop();
      await api.close();
    },
  };
  return harness;
}

export interface SmtpSink {
  port: number;
  mails: { from: string; to: string[]; raw: string }[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback (smtp-server) that keeps every message it accepts. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SmtpSink['mails'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
