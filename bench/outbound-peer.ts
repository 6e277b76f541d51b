/**
 * The outbound benchmark's peer: the webhook sender a team builds for itself when it does not use
 * a hub. A BullMQ `Queue` + `Worker` on Redis (127.0.0.1:6379, a key prefix of its own per run),
 * one job per delivery (message × endpoint, enqueued with `addBulk`, retries configured as a
 * team would: 8 attempts, exponential backoff); each job signs the payload with the
 * `standardwebhooks` library, POSTs it with undici `request()` and inserts one attempt row into a
 * PostgreSQL table of its own, then completes. What it does not do, and the hub does: store the
 * event and enqueue in one transaction (the jobs live in Redis only), per-endpoint concurrency
 * windows, fan-out from one published event.
 *
 * @example
 *   const peer = await startPeer({ databaseUrl, receiverUrl, endpoints: 4, concurrency: 64 });
 *   const round = await peer.deliver(messages, payload);
 *   await peer.close(); // drops its table, removes its Redis keys
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { bounded } from './support.ts';

const REDIS = { host: '127.0.0.1', port: 6379 };
const TABLE = 'peer_webhook_attempts';
const BATCH = 1_000;

interface DeliveryJob {
  messageId: string;
  url: string;
  payload: string;
}

export interface PeerRound {
  deliveries: number;
  enqueueSeconds: number;
  deliveredSeconds: number;
  recordedSeconds: number;
  /** From the first enqueue until every attempt row is in PostgreSQL. */
  deliveriesPerSecond: number;
  deliveriesPerSecondSeenByReceiver: number;
  /** CPU of the benchmark process (enqueue, worker, signing, HTTP, pool) per delivery; Redis not included. */
  cpuMicrosecondsPerDelivery: number;
}

export interface Peer {
  /** Enqueues `messages` × the endpoints and waits until every attempt is recorded. */
  deliver(messages: number, payload: (i: number) => string): Promise<PeerRound>;
  close(): Promise<void>;
}

export interface PeerOptions {
  /** The bench database; the peer creates its attempt table there and drops it on close. */
  databaseUrl: string;
  receiverUrl: string;
  /** Counts the requests the receiver has seen (the bench's receiver). */
  receiverCount: () => Promise<number>;
  endpoints: number;
  /** Jobs processed at once by the one Worker. */
  concurrency: number;
  poolSize: number;
  phaseLimitMs: number;
}

export async function startPeer(options: PeerOptions): Promise<Peer> {
  const prefix = `patchbay-bench-peer-${process.pid}-${Date.now()}`;
  const queueName = 'webhooks';
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
  await pool.query(`create table ${TABLE} (
    id bigserial primary key,
    message_id text not null,
    url text not null,
    status int not null,
    duration_ms real not null,
    attempted_at timestamptz not null default now()
  )`);
  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
  const webhook = new Webhook(`whsec_${randomBytes(24).toString('base64')}`);
  const queue = new Queue<DeliveryJob>(queueName, { connection: REDIS, prefix });
  await queue.waitUntilReady();

  async function send(job: Job<DeliveryJob>): Promise<void> {
    const { messageId, url, payload } = job.data;
    const now = new Date();
    const started = performance.now();
    const res = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': webhook.sign(messageId, now, payload),
      },
      body: payload,
      dispatcher: agent,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await res.body.dump();
    await pool.query(`insert into ${TABLE} (message_id, url, status, duration_ms) values ($1, $2, $3, $4)`, [messageId, url, res.statusCode, performance.now() - started]);
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`endpoint answered ${res.statusCode}`);
  }

  // Like the hub's `succeeded` count: attempts recorded with a 2xx.
  const recorded = async () => (await pool.query<{ n: number }>(`select count(*)::int as n from ${TABLE} where status between 200 and 299`)).rows[0]!.n;
  let round = 0;

  async function measureRound(worker: Worker<DeliveryJob>, messages: number, payload: (i: number) => string): Promise<PeerRound> {
    await worker.waitUntilReady();
    const total = messages * options.endpoints;
    const receivedBefore = await options.receiverCount();
    const recordedBefore = await recorded();
    const tag = round++;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < messages; i += BATCH) {
      const jobs = [];
      for (let k = i; k < Math.min(i + BATCH, messages); k++) {
        const body = payload(k);
        for (let e = 0; e < options.endpoints; e++) {
          const messageId = `msg_peer_${tag}_${k}`;
          jobs.push({ name: 'deliver', data: { messageId, url: `${options.receiverUrl}/ep-${e}`, payload: body }, opts: { attempts: 8, backoff: { type: 'exponential', delay: 5_000 }, removeOnComplete: 1_000, removeOnFail: 5_000 } });
        }
      }
      await queue.addBulk(jobs);
    }
    const enqueued = performance.now();
    let delivered = 0;
    await bounded(
      (async () => {
        for (;;) {
          if (!delivered && (await options.receiverCount()) - receivedBefore >= total) delivered = performance.now();
          if (delivered && (await recorded()) - recordedBefore >= total) return;
          await new Promise((r) => setTimeout(r, 25));
        }
      })(),
      options.phaseLimitMs,
      'peer round',
    );
    const done = performance.now();
    const used = process.cpuUsage(cpu);
    const failed = await queue.getFailedCount();
    if (failed > 0) throw new Error(`peer: ${failed} jobs failed`);
    return {
      deliveries: total,
      enqueueSeconds: Math.round(enqueued - started) / 1000,
      deliveredSeconds: Math.round(delivered - started) / 1000,
      recordedSeconds: Math.round(done - started) / 1000,
      deliveriesPerSecond: Math.round((total / (done - started)) * 1000),
      deliveriesPerSecondSeenByReceiver: Math.round((total / (delivered - started)) * 1000),
      cpuMicrosecondsPerDelivery: Math.round((used.user + used.system) / total),
    };
  }

  return {
    async deliver(messages, payload) {
      // A fresh Worker per round, ready before the clock starts, closed after: between rounds it
      // does not poll Redis while the hub is measured.
      const worker = new Worker<DeliveryJob>(queueName, send, { connection: REDIS, prefix, concurrency: options.concurrency });
      try {
        return await measureRound(worker, messages, payload);
      } finally {
        await worker.close();
      }
    },
    async close() {
      try {
        await queue.obliterate({ force: true });
        await queue.close();
      } finally {
        // Whatever obliterate left (or could not reach): every key under this run's prefix goes.
        const redis = new Redis(REDIS);
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1_000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
        await redis.quit();
        await agent.close();
        await pool.query(`drop table if exists ${TABLE}`);
        await pool.end();
      }
    },
  };
}
