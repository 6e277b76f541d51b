/**
 * Outbound webhooks from the CLI: `patchbay endpoints|events|attempts|listen`, run as real
 * processes against a real hub — through its local socket (embedded), over its REST API
 * (PATCHBAY_URL), and, on PostgreSQL, on the database directly while a separate hub process
 * delivers. Each way creates an endpoint at a loopback receiver and takes it through delivery,
 * dead letters, resend, bulk retry, recover, test events, statistics and secret rotation.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { Webhook } from 'standardwebhooks';
import { copyPgliteTemplate, createPostgresDatabase, dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';
import { childEnv, cli, startTs, type Child } from '../support/process.ts';
import { startReceiver, waitFor, type ReceivedRequest, type Receiver } from '../webhooks/outbound/support.ts';

interface Hub {
  url: string;
  apiKey: string;
  /** The CLI's environment for each way in. */
  ways: Record<string, NodeJS.ProcessEnv>;
  /** The ways `listen` is tried (it needs a hub's address: its socket or PATCHBAY_URL). */
  listenWays: string[];
  stop(): Promise<void>;
}

const TIMEOUT = 120_000;
let receiver: Receiver;
/** Paths answering 500 until the test lets them succeed. */
const failing = new Set<string>();

async function api(hub: Hub, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) {
  const res = await request(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

/** The demo hub (`npm start`) on a copy of the embedded database: reached by socket and by REST. */
async function embeddedHub(): Promise<Hub> {
  const dataDir = copyPgliteTemplate('cli-outbound');
  const env = childEnv({ PATCHBAY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
  const child = startTs('demo/start.ts', [], env);
  const url = (await child.waitFor(/running at (http:\/\/\S+)/, 60_000))[1]!;
  const apiKey = (await child.waitFor(/(pb_test_[0-9a-z]+)/))[1]!;
  return {
    url,
    apiKey,
    ways: { socket: env, remote: { ...env, PATCHBAY_URL: url, PATCHBAY_API_KEY: apiKey } },
    listenWays: ['socket', 'remote'],
    async stop() {
      await child.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** On PostgreSQL: `patchbay init`, then `serve` delivers while the CLI works on the database. */
async function postgresHub(): Promise<Hub> {
  const databaseUrl = await createPostgresDatabase();
  const env = childEnv({ DATABASE_URL: databaseUrl, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS, PORT: '0', HOST: '127.0.0.1' });
  const init = await cli(['init', '--org', 'acme', '--email', 'owner@acme.example', '--environments', 'dev', '--json'], env);
  expect(init.stderr).toBe('');
  const apiKey = (JSON.parse(init.stdout) as { apiKey: string }).apiKey;
  const child: Child = startTs('src/cli/main.ts', ['serve'], { ...env, LOG_LEVEL: 'info' });
  const url = (await child.waitFor(/"url":"(http:\/\/[^"]+)"/, 60_000))[1]!;
  const hub: Hub = {
    url,
    apiKey,
    ways: { database: env },
    listenWays: ['remote'],
    async stop() {
      await child.stop();
      await dropPostgresDatabase(databaseUrl);
    },
  };
  // Loopback receivers are private addresses: this environment allows them, as `dev` does in the
  // demo. Changing an environment takes the owner's scope `organization:write`.
  const owner = await cli(['keys', 'create', '--org', 'acme', '--env', 'dev', '--role', 'owner', '--json'], env);
  const allowed = await api({ ...hub, apiKey: (JSON.parse(owner.stdout) as { key: string }).key }, 'PATCH', '/api/v1/environments/dev', { allowPrivateNetworks: true });
  expect(allowed).toMatchObject({ status: 200, body: { allowPrivateNetworks: true } });
  return hub;
}

beforeAll(async () => {
  receiver = await startReceiver((r) => ({ status: failing.has(r.url) ? 500 : 200 }));
});
afterAll(async () => {
  await receiver?.close();
});

// The embedded hub always runs on PGlite, so the PostgreSQL run tries only the database way.
const hubs: [string, () => Promise<Hub>][] = onPostgres() ? [['PostgreSQL hub', postgresHub]] : [['embedded hub', embeddedHub]];

describe.each(hubs)('on the %s', (_name, start) => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await start();
    const created = await cli(['event-types', 'create', 'invoice.paid', '--org', 'acme', '--env', 'dev', '--schema', '{"type": "object", "required": ["amount"], "properties": {"amount": {"type": "number"}}}'], Object.values(hub.ways)[0]!);
    expect(created).toMatchObject({ code: 0, stdout: 'created invoice.paid (schema version 1)\n' });
  }, TIMEOUT);
  afterAll(async () => {
    await hub?.stop();
  });

  const ways = () => Object.keys(hub.ways);
  const scope = ['--org', 'acme', '--env', 'dev'];
  /** Runs a command one way in with --json; it must succeed quietly. */
  const jsonCli =
    (way: string) =>
    async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
      const result = await cli([...args, ...scope, '--json'], hub.ways[way]!);
      expect(result.stderr, `${way}: ${args.join(' ')}`).toBe('');
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout) as T;
    };

  it(
    'runs the endpoint life cycle, resend, bulk retry, recover and test events from the CLI, each way in',
    async () => {
      for (const way of ways()) {
        const env = hub.ways[way]!;
        const pb = jsonCli(way);
        const path = `/hooks/${way}`;
        // Waiting polls the API (quicker than a CLI process per look); `events show` is run once below.
        const stateOf = async (messageId: string) => ((await api(hub, 'GET', `/api/v1/events/${messageId}`)).body.deliveries as { state: string }[])[0]?.state;
        const at = (messageId: string) => receiver.requests.filter((r) => r.url === path && r.headers['webhook-id'] === messageId);

        // Create, with a short explicit schedule so a failure becomes a dead letter in moments.
        const endpoint = await pb<{ id: string; eventTypes: string[]; headers: Record<string, string> }>(
          'endpoints', 'create', '--url', `${receiver.url}${path}`, '--events', 'invoice.paid,webhook.test', '--retry', 'explicit', '--schedule', '0.2', '--max-retries', '1', '--header', 'X-Team=billing', '--description', `via ${way}`,
        );
        expect(endpoint).toMatchObject({ eventTypes: ['invoice.paid', 'webhook.test'], headers: { 'X-Team': 'billing' } });
        const { secret } = await pb<{ secret: string }>('endpoints', 'secret', endpoint.id);
        expect(secret).toMatch(/^whsec_/);
        expect((await pb<{ data: { id: string }[] }>('endpoints', 'list')).data.map((e) => e.id)).toContain(endpoint.id);

        // Send: delivered, signed with that secret; the same event id again sends nothing new.
        const sent = await pb<{ id: string; duplicate: boolean }>('events', 'send', '--type', 'invoice.paid', '--data', '{"amount": 42}', '--event-id', `inv-${way}-1`);
        expect(sent.duplicate).toBe(false);
        await waitFor(() => at(sent.id).length === 1);
        const delivered = at(sent.id)[0]!;
        expect(new Webhook(secret).verify(delivered.body, delivered.headers as Record<string, string>)).toMatchObject({ type: 'invoice.paid', data: { amount: 42 } });
        expect(delivered.headers['x-team']).toBe('billing');
        expect(await pb('events', 'send', '--type', 'invoice.paid', '--data', '{"amount": 42}', '--event-id', `inv-${way}-1`)).toMatchObject({ id: sent.id, duplicate: true });

        // A failing receiver: two attempts, then a dead letter, listed with its attempts.
        failing.add(path);
        const lost = await pb<{ id: string }>('events', 'send', '--type', 'invoice.paid', '--data', '{"amount": 7}');
        await waitFor(async () => (await stateOf(lost.id)) === 'failed', 30_000);
        expect((await pb<{ deliveries: unknown[] }>('events', 'show', lost.id)).deliveries).toEqual([expect.objectContaining({ endpointId: endpoint.id, state: 'failed', attempts: 2, lastStatusCode: 500 })]);
        const attempts = await pb<{ data: { attempt: number; statusCode: number; errorClass: string }[] }>('attempts', 'list', lost.id);
        expect(attempts.data.map((a) => [a.attempt, a.statusCode, a.errorClass])).toEqual([
          [1, 500, 'http_status'],
          [2, 500, 'http_status'],
        ]);
        expect((await pb<{ data: { messageId: string }[] }>('attempts', 'failed', '--endpoint', endpoint.id)).data.map((d) => d.messageId)).toContain(lost.id);

        // Resend one message to one endpoint: delivered with the same webhook-id.
        failing.delete(path);
        expect(await pb('attempts', 'resend', lost.id, endpoint.id)).toMatchObject({ messageId: lost.id, state: 'pending', trigger: 'resend' });
        await waitFor(async () => (await stateOf(lost.id)) === 'succeeded', 30_000);
        expect(at(lost.id).map((r: ReceivedRequest) => r.headers['webhook-id'])).toEqual([lost.id, lost.id, lost.id]);

        // Bulk retry of dead letters by filter, then recover since a time.
        for (const [command, args, key] of [
          ['attempts', ['retry', '--endpoint', endpoint.id, '--type', 'invoice.paid'], 'retried'],
          ['endpoints', ['recover', endpoint.id, '--since', new Date(Date.now() - 60_000).toISOString()], 'recovered'],
        ] as const) {
          failing.add(path);
          const message = await pb<{ id: string }>('events', 'send', '--type', 'invoice.paid', '--data', '{"amount": 1}');
          await waitFor(async () => (await stateOf(message.id)) === 'failed', 30_000);
          failing.delete(path);
          expect(await pb(command, ...args)).toEqual({ [key]: 1 });
          await waitFor(async () => (await stateOf(message.id)) === 'succeeded', 30_000);
        }

        // A test event goes to this endpoint only.
        const test = await pb<{ id: string; type: string }>('endpoints', 'test', endpoint.id);
        expect(test.type).toBe('webhook.test');
        await waitFor(() => at(test.id).length === 1);

        // Statistics count what happened: three messages failed twice each; five deliveries succeeded.
        const stats = await pb<{ attempts: number; failed: number; deliveries: Record<string, number> }>('endpoints', 'stats', endpoint.id);
        expect(stats.failed).toBe(6);
        expect(stats.attempts).toBe(11);
        expect(stats.deliveries).toMatchObject({ succeeded: 5, failed: 0 });

        // Rotation: during the grace period both secrets sign.
        await pb('endpoints', 'rotate-secret', endpoint.id, '--grace-hours', '1');
        const { secret: rotated } = await pb<{ secret: string }>('endpoints', 'secret', endpoint.id);
        expect(rotated).not.toBe(secret);
        const after = await pb<{ id: string }>('events', 'send', '--type', 'invoice.paid', '--data', '{"amount": 2}');
        await waitFor(() => at(after.id).length === 1);
        const signed = at(after.id)[0]!;
        expect(String(signed.headers['webhook-signature']).split(' ')).toHaveLength(2);
        for (const key of [secret, rotated]) new Webhook(key).verify(signed.body, signed.headers as Record<string, string>);

        // Disable, change, enable, delete.
        expect(await pb('endpoints', 'disable', endpoint.id)).toMatchObject({ enabled: false });
        expect(await pb('endpoints', 'update', endpoint.id, '--description', 'renamed', '--all-events')).toMatchObject({ description: 'renamed', eventTypes: null, enabled: false });
        expect(await pb('endpoints', 'enable', endpoint.id)).toMatchObject({ enabled: true });
        expect(await pb('endpoints', 'delete', endpoint.id)).toMatchObject({ id: endpoint.id });
        const gone = await cli(['endpoints', 'show', endpoint.id, ...scope], env);
        expect(gone.code).toBe(3);
        expect(gone.stderr).toContain(endpoint.id);
      }
    },
    6 * TIMEOUT,
  );

  it(
    'manages event types from the CLI: a new schema is the next version, an archived type is refused',
    async () => {
      for (const way of ways()) {
        const env = hub.ways[way]!;
        const pb = jsonCli(way);
        const name = `order.shipped_${way}`;
        const schemaFile = `${tempDir('schema')}/schema.json`;
        fs.writeFileSync(schemaFile, JSON.stringify({ type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } }));
        expect(await pb('event-types', 'create', name, '--description', 'An order left the warehouse', '--schema', `@${schemaFile}`, '--example', '{"orderId": "o-1"}')).toMatchObject({ name, schemaVersion: 1, builtIn: false });
        const listed = await pb<{ data: { name: string; builtIn: boolean }[] }>('event-types', 'list');
        expect(listed.data).toEqual(expect.arrayContaining([expect.objectContaining({ name, builtIn: false }), expect.objectContaining({ name: 'connection.created', builtIn: true })]));

        const refused = await cli(['events', 'send', '--type', name, '--data', '{"orderId": 7}', ...scope], env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain('/data/orderId');
        expect(await pb('event-types', 'update', name, '--schema', '{"type": "object", "required": ["orderId", "carrier"]}', '--example', '{"orderId": "o-1", "carrier": "ups"}')).toMatchObject({ schemaVersion: 2 });
        expect(await pb('events', 'send', '--type', name, '--data', '{"orderId": "o-2", "carrier": "dhl"}')).toMatchObject({ type: name, schemaVersion: 2 });
        expect(await pb('event-types', 'show', name)).toMatchObject({ name, schemaVersion: 2, example: { orderId: 'o-1', carrier: 'ups' } });

        expect(await pb('event-types', 'archive', name)).toMatchObject({ archived: true });
        const archived = await cli(['events', 'send', '--type', name, '--data', '{"orderId": "o-3", "carrier": "dhl"}', ...scope], env);
        expect(archived.code).toBe(2);
        expect(archived.stderr).toContain(`${name} is not an event type`);
      }
    },
    TIMEOUT,
  );

  it(
    'says what is wrong with bad input, with exit code 2 and no stack trace',
    async () => {
      for (const way of ways()) {
        const env = hub.ways[way]!;
        const cases: [string[], RegExp][] = [
          [['endpoints', 'create', '--url', `${receiver.url}/x`, '--timeout', '5'], /\/timeoutMs: must be >= 100/],
          [['endpoints', 'create', '--url', 'not a url'], /url/i],
          [['events', 'send', '--type', 'invoice.paid', '--data', '[1]'], /--data must be a JSON object/],
          [['events', 'send', '--type', 'invoice.paid', '--data', '{"amount": "lots"}'], /\/data\/amount/],
          [['events', 'send', '--type', 'nope.never', '--data', '{}'], /nope\.never is not an event type/],
          [['endpoints', 'recover', 'ep_0000000000000000', '--since', 'yesterday'], /since/],
        ];
        for (const [args, message] of cases) {
          const result = await cli([...args, ...scope], env);
          expect(result.code, `${way}: ${args.join(' ')}\n${result.stderr}`).toBe(2);
          expect(result.stderr).toMatch(message);
          expect(result.stderr).not.toMatch(/\n\s+at /);
        }
        const missing = await cli(['attempts', 'list', 'msg_0000000000000000', ...scope], env);
        expect(missing.code).toBe(3);
      }
    },
    TIMEOUT,
  );

  it(
    'listens: `patchbay listen` forwards each message, signed, to a local URL and cleans up when stopped',
    async () => {
      for (const way of hub.listenWays) {
        const env = way === 'remote' ? { ...Object.values(hub.ways)[0]!, PATCHBAY_URL: hub.url, PATCHBAY_API_KEY: hub.apiKey } : hub.ways[way]!;
        const local = await startReceiver();
        const listener = startTs('src/cli/main.ts', ['listen', '--forward-to', `${local.url}/local`, '--events', 'invoice.*', ...scope, '--json'], env);
        try {
          const ready = JSON.parse((await listener.waitFor(/(\{"event":"ready".*\})/, 60_000))[1]!) as { secret: string; endpointId: string };
          const sent = await cli(['events', 'send', '--type', 'invoice.paid', '--data', '{"amount": 3}', ...scope, '--json'], env);
          const { id } = JSON.parse(sent.stdout) as { id: string };
          await waitFor(() => local.requests.length === 1);
          const forwarded = local.requests[0]!;
          expect(forwarded.url).toBe('/local');
          expect(new Webhook(ready.secret).verify(forwarded.body, forwarded.headers as Record<string, string>)).toMatchObject({ id, type: 'invoice.paid' });
          await listener.waitFor(new RegExp(`"event":"forward","id":"${id}","type":"invoice.paid","status":200`));
          expect(listener.output()).not.toContain(hub.apiKey);
          expect(await listener.stop('SIGINT')).toBe(0);
          // Its temporary endpoint is gone, and on the socket way its session key is revoked.
          expect((await api(hub, 'GET', `/api/v1/endpoints/${ready.endpointId}`)).status).toBe(404);
          if (way === 'socket') {
            const keys = JSON.parse((await cli(['keys', 'list', '--include-revoked', '--json', ...scope], env)).stdout) as { name: string; revokedAt: string | null }[];
            const session = keys.filter((k) => k.name.startsWith('patchbay listen'));
            expect(session).toHaveLength(1);
            expect(session[0]!.revokedAt).not.toBeNull();
          }
        } finally {
          await listener.stop();
          await local.close();
        }
      }
    },
    TIMEOUT,
  );
});
