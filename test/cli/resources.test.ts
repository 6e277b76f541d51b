/**
 * The resources a user manages every day from the CLI — integrations, connections, syncs, records
 * and sources — run as real processes against a real hub (`patchbay serve`): through its local
 * socket (embedded PGlite) or on the database directly (PostgreSQL), and over its REST API
 * (PATCHBAY_URL). A Stripe simulator in this process is the provider.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startEmailSimulator, startSimulator, type EmailSimulatorHandle, type SimulatorHandle } from '../../simulators/index.ts';
import { STRIPE_SAMPLE_KEY } from '../../simulators/stripe.ts';
import { copyPgliteTemplate, createPostgresDatabase, dropPostgresDatabase, onPostgres, tempDir } from '../support/db.ts';
import { childEnv, cli, startTs } from '../support/process.ts';

const TIMEOUT = 120_000;
// Progress is written with each commit of 1,000 records: enough customers for a few.
const CUSTOMERS = 2500;
const scope = ['--org', 'acme', '--env', 'dev'];

interface Hub {
  url: string;
  apiKey: string;
  /** The CLI's environment for each way in: `socket` or `database`, then `remote`. */
  ways: Record<string, NodeJS.ProcessEnv>;
  stop(): Promise<void>;
}

/**
 * `patchbay init`, then `patchbay serve` on a copy of the embedded database (the CLI reaches it by
 * its socket) or on a PostgreSQL database (the CLI opens it too); loopback providers allowed in dev.
 */
async function startHub(): Promise<Hub> {
  const postgres = onPostgres();
  const databaseUrl = postgres ? await createPostgresDatabase() : undefined;
  const dataDir = postgres ? tempDir('cli-resources') : copyPgliteTemplate('cli-resources');
  const env = childEnv({ DATABASE_URL: databaseUrl, PATCHBAY_SECRET_KEYS: process.env.PATCHBAY_SECRET_KEYS ?? `t1:${randomBytes(32).toString('base64')}`, PATCHBAY_DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' });
  const init = await cli(['init', '--org', 'acme', '--email', 'owner@acme.example', '--environments', 'dev', '--json'], env);
  expect(init.stderr).toBe('');
  const apiKey = (JSON.parse(init.stdout) as { apiKey: string }).apiKey;
  const child = startTs('src/cli/main.ts', ['serve'], { ...env, LOG_LEVEL: 'info' });
  const url = (await child.waitFor(/"url":"(http:\/\/[^"]+)"/, 180_000))[1]!;
  // The simulator is on loopback: this environment allows it, as `dev` does in the demo.
  const owner = await cli(['keys', 'create', ...scope, '--role', 'owner', '--json'], env);
  const allowed = await request(`${url}/api/v1/environments/dev`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${(JSON.parse(owner.stdout) as { key: string }).key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allowPrivateNetworks: true }),
  });
  expect(allowed.statusCode).toBe(200);
  await allowed.body.dump();
  return {
    url,
    apiKey,
    ways: { [postgres ? 'database' : 'socket']: env, remote: { ...env, PATCHBAY_URL: url, PATCHBAY_API_KEY: apiKey } },
    async stop() {
      await child.stop();
      if (databaseUrl) await dropPostgresDatabase(databaseUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let hub: Hub;
let stripe: SimulatorHandle;

beforeAll(async () => {
  stripe = await startSimulator('stripe', { host: '127.0.0.1', records: { customers: CUSTOMERS, charges: 20, subscriptions: 5 } });
  hub = await startHub();
}, 3 * TIMEOUT);
afterAll(async () => {
  await hub?.stop();
  await stripe?.close();
});

const ways = () => Object.keys(hub.ways);
/** Runs a command one way in with --json; it must succeed quietly. */
const jsonCli =
  (way: string) =>
  async <T = Record<string, unknown>>(...args: string[]): Promise<T> => {
    const result = await cli([...args, ...scope, '--json'], hub.ways[way]!);
    expect(result.stderr, `${way}: ${args.join(' ')}`).toBe('');
    expect(result.code, `${way}: ${args.join(' ')}`).toBe(0);
    return JSON.parse(result.stdout) as T;
  };

/** An integration and a connection to the simulator, made from the CLI. */
async function connect(way: string, name: string): Promise<{ integrationId: string; connectionId: string }> {
  const pb = jsonCli(way);
  const integration = await pb<{ id: string }>('integrations', 'create', 'stripe', '--key', `stripe-${name}`, '--base-url', stripe.baseUrl);
  const connection = await pb<{ id: string; status: string }>('connections', 'create', '--integration', `stripe-${name}`, '--end-customer', `customer-${name}`, '--id', `conn-${name}`, '--credential', `apiKey=${STRIPE_SAMPLE_KEY}`);
  expect(connection.status).toBe('connected');
  return { integrationId: integration.id, connectionId: connection.id };
}

describe('integrations and connections', () => {
  it(
    'creates, shows, changes, tests, rotates and deletes integrations and connections from the CLI (one way in, then the other)',
    async () => {
      const [local, remote] = ways() as [string, string];
      const [pb, rb] = [jsonCli(local), jsonCli(remote)];
      const keyFile = `${tempDir('key')}/key.txt`;
      fs.writeFileSync(keyFile, `${STRIPE_SAMPLE_KEY}\n`);

      const created = await pb<{ id: string; key: string; connectorKey: string; baseUrl: string; settings: { timeoutMs: number } }>(
        'integrations', 'create', 'stripe', '--key', 'stripe-cli', '--name', 'Stripe (CLI)', '--base-url', stripe.baseUrl, '--timeout', '5000',
      );
      expect(created).toMatchObject({ key: 'stripe-cli', connectorKey: 'stripe', baseUrl: stripe.baseUrl, settings: { timeoutMs: 5000 } });
      expect((await rb<{ data: { id: string }[] }>('integrations', 'list', '--connector', 'stripe')).data.map((i) => i.id)).toContain(created.id);
      // By key within the environment, and by id alone (its environment found from it).
      expect(await pb('integrations', 'show', 'stripe-cli')).toMatchObject({ id: created.id });
      const byId = await cli(['integrations', 'show', created.id, '--json'], hub.ways[local]!);
      expect(JSON.parse(byId.stdout)).toMatchObject({ id: created.id, name: 'Stripe (CLI)' });
      expect(await rb('integrations', 'update', created.id, '--name', 'Renamed', '--disable')).toMatchObject({ name: 'Renamed', enabled: false });
      expect(await pb('integrations', 'update', 'stripe-cli', '--enable')).toMatchObject({ enabled: true });

      // A connection whose key is read from a file, tested before it is stored.
      const connection = await pb<{ id: string; status: string; credential: { rotateEveryDays: number } }>(
        'connections', 'create', '--integration', 'stripe-cli', '--end-customer', 'customer-1', '--id', 'conn-cli', '--credential', `apiKey=@${keyFile}`, '--tags', 'cli,test', '--rotate-every-days', '90',
      );
      expect(connection).toMatchObject({ id: 'conn-cli', status: 'connected', credential: { rotateEveryDays: 90 } });
      expect((await rb<{ data: { id: string }[] }>('connections', 'list', '--integration', created.id)).data.map((c) => c.id)).toEqual(['conn-cli']);
      const shown = await rb('connections', 'show', 'conn-cli');
      expect(shown).toMatchObject({ endCustomerId: 'customer-1', tags: ['cli', 'test'] });
      expect(JSON.stringify(shown)).not.toContain(STRIPE_SAMPLE_KEY);
      expect(await pb('connections', 'test', 'conn-cli')).toMatchObject({ ok: true, connection: { status: 'connected' } });

      // A refused key makes no connection: exit code 2 with the provider's reason, the key never echoed.
      const refusedKey = 'sk_test_refused0000000000';
      const refused = await cli(['connections', 'create', '--integration', 'stripe-cli', '--end-customer', 'customer-2', '--id', 'conn-wrong', '--credential', `apiKey=${refusedKey}`, ...scope], hub.ways[remote]!);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/not created/i);
      expect(refused.stderr).not.toContain(refusedKey);

      // Stored untested, it fails `connections test` (exit code 1, the reason said); `rotate` to a
      // key the provider accepts mends it, while a refused one changes nothing.
      await pb('connections', 'create', '--integration', 'stripe-cli', '--end-customer', 'customer-2', '--id', 'conn-wrong', '--credential', `apiKey=${refusedKey}`, '--no-test');
      const failing = await cli(['connections', 'test', 'conn-wrong', ...scope], hub.ways[remote]!);
      expect(failing.code).toBe(1);
      expect(failing.stdout).toMatch(/failed: .*401/);
      const stillRefused = await cli(['connections', 'rotate', 'conn-wrong', '--credential', 'apiKey=sk_test_alsorefused00000000', ...scope], hub.ways[local]!);
      expect(stillRefused.code).toBe(2);
      const rotatedKey = 'sk_test_rotated000000000000';
      stripe.control.credentials.add(rotatedKey);
      expect(await rb('connections', 'rotate', 'conn-wrong', '--credential', `apiKey=${rotatedKey}`, '--rotate-every-days', '30')).toMatchObject({ id: 'conn-wrong', status: 'connected', credential: { rotateEveryDays: 30 } });

      // An integration with connections is not deleted; without, it is.
      const busy = await cli(['integrations', 'delete', created.id, ...scope], hub.ways[remote]!);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(/connection/i);
      expect(await pb('connections', 'delete', 'conn-cli')).toMatchObject({ id: 'conn-cli', credential: null });
      expect(await rb('connections', 'delete', 'conn-wrong')).toMatchObject({ id: 'conn-wrong', credential: null });
      expect(await pb('integrations', 'delete', 'stripe-cli')).toMatchObject({ id: created.id });
      for (const [way, args] of [[remote, ['integrations', 'show', created.id]], [local, ['connections', 'show', 'conn-cli']]] as const) {
        const gone = await cli([...args, ...scope], hub.ways[way]!);
        expect(gone.code, `${way}: ${args.join(' ')}`).toBe(3);
      }
    },
    3 * TIMEOUT,
  );
});

describe('connector actions', () => {
  it(
    "lists and runs the Email connector's send action from the CLI, one way in and then the other, refusing a wrong input before sending",
    async () => {
      const smtp: EmailSimulatorHandle = await startEmailSimulator();
      try {
        const [local, remote] = ways() as [string, string];
        const [pb, rb] = [jsonCli(local), jsonCli(remote)];
        const { host, port, from } = smtp.sample.connectionConfig as Record<string, string>;
        const { username, password } = smtp.sample.credentials;
        await pb('integrations', 'create', 'email', '--key', 'mail-cli');
        const config = ['--config', `host=${host}`, '--config', `port=${port}`, '--config', 'tls=none', '--config', `from=${from}`];
        await pb('connections', 'create', '--integration', 'mail-cli', '--end-customer', 'customer-mail', '--id', 'conn-mail', '--credential', `username=${username}`, '--credential', `password=${password}`, ...config);

        const listed = await rb<{ data: { name: string }[] }>('connections', 'actions', 'conn-mail');
        expect(listed.data.map((a) => a.name)).toEqual(['send']);
        for (const [n, run] of [pb, rb].entries()) {
          const sent = await run<{ action: string; output: { accepted: string[] } }>('connections', 'run', 'conn-mail', 'send', '--input', JSON.stringify({ to: `ann${n}@example.com`, subject: 'From the CLI', text: 'Hello' }));
          expect(sent).toMatchObject({ action: 'send', output: { accepted: [`ann${n}@example.com`] } });
        }
        expect(smtp.mails.map((m) => m.to)).toEqual([['ann0@example.com'], ['ann1@example.com']]);

        for (const way of [local, remote]) {
          const wrong = await cli(['connections', 'run', 'conn-mail', 'send', '--input', '{"to":"ann@example.com","subject":"Hi","text":"x","priority":"high"}', ...scope], hub.ways[way]!);
          expect(wrong.code, way).toBe(2);
          expect(wrong.stderr, way).toMatch(/nothing was sent/);
          const unknown = await cli(['connections', 'run', 'conn-mail', 'archive', '--input', '{}', ...scope], hub.ways[way]!);
          expect(unknown.stderr, way).toMatch(/no action "archive"; it has send/);
          expect(`${wrong.stdout}${wrong.stderr}${unknown.stderr}`).not.toContain(password);
        }
        expect(smtp.mails).toHaveLength(2);
      } finally {
        await smtp.close();
      }
    },
    TIMEOUT,
  );
});

describe('syncs and records', () => {
  it(
    'triggers a sync and follows its run to the end, then reads runs and records, rolls back and cancels',
    async () => {
      const [local, remote] = ways() as [string, string];
      const { connectionId } = await connect(local, 'syncs');
      const pb = jsonCli(local);
      const listed = await pb<{ data: unknown[]; models: { model: string }[] }>('syncs', 'list', connectionId);
      expect(listed.data).toEqual([]);
      expect(listed.models.map((m) => m.model)).toEqual(expect.arrayContaining(['customers', 'charges']));
      const sync = await pb<{ id: string; frequency: string | null }>('syncs', 'configure', connectionId, 'customers', '--no-frequency');
      expect(sync.frequency).toBeNull();

      // Not a terminal: a plain line per change of the run, the last one its end.
      stripe.control.setDelay(40);
      const followed = await cli(['syncs', 'trigger', sync.id, '--interval', '100', ...scope], hub.ways[local]!);
      stripe.control.setDelay(0);
      expect(followed.code, followed.stderr).toBe(0);
      const lines = followed.stdout.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(lines[0]).toMatch(/^customers run_\w+: queued/);
      expect(lines.some((l) => / running \(\w+\) — [1-9]\d* fetched/.test(l)), followed.stdout).toBe(true);
      expect(lines.at(-1)).toMatch(new RegExp(`succeeded in [\\d.]+ s — ${CUSTOMERS} fetched, ${CUSTOMERS} written \\(\\+${CUSTOMERS} ~0 -0\\)`));
      const firstRunId = /(run_\w+)/.exec(lines[0]!)![1]!;

      // --json, the other way in: one JSON line per change, ending with the finished run.
      const again = await cli(['syncs', 'trigger', sync.id, '--json'], hub.ways[remote]!);
      expect(again.code, again.stderr).toBe(0);
      const events = again.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; run: { id: string; status: string } });
      expect(events[0]!.event).toBe('triggered');
      expect(events.at(-1)).toMatchObject({ event: 'finished', run: { status: 'succeeded' } });

      const runs = await pb<{ data: { id: string; status: string }[] }>('syncs', 'runs', sync.id);
      expect(runs.data.map((r) => [r.id, r.status])).toEqual([
        [events[0]!.run.id, 'succeeded'],
        [firstRunId, 'succeeded'],
      ]);
      expect(await pb('syncs', 'run', firstRunId)).toMatchObject({ id: firstRunId, added: CUSTOMERS });

      // Records: a page, the next from its cursor (the other way in), one record with its versions.
      const page1 = await pb<{ data: { externalId: string; change: string }[]; nextCursor: string; hasMore: boolean }>('records', 'list', connectionId, '--model', 'customers', '--limit', '1000');
      expect(page1).toMatchObject({ hasMore: true, data: expect.arrayContaining([expect.objectContaining({ change: 'ADDED' })]) });
      expect(page1.data).toHaveLength(1000);
      const page2 = await jsonCli(remote)<{ data: { externalId: string }[]; hasMore: boolean }>('records', 'list', connectionId, '--model', 'customers', '--limit', '1000', '--cursor', page1.nextCursor);
      expect(page2.data).toHaveLength(1000);
      expect(new Set([...page1.data, ...page2.data].map((r) => r.externalId)).size).toBe(2000);
      const one = page1.data[0]!.externalId;
      expect(await jsonCli(remote)('records', 'show', connectionId, 'customers', one)).toMatchObject({ externalId: one, model: 'customers', version: 1, versions: [] });

      // Rollback: the first run's records are removed, in a run of its own; a second time is refused.
      const rolled = await jsonCli(remote)<{ reverted: { id: string }; rollback: { deleted: number } }>('syncs', 'rollback', firstRunId);
      expect(rolled).toMatchObject({ reverted: { id: firstRunId }, rollback: { deleted: CUSTOMERS } });
      const twice = await cli(['syncs', 'rollback', firstRunId, ...scope], hub.ways[local]!);
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('rolled back already');

      // Cancel: a slow run, followed with `syncs run --follow`, stopped by `syncs cancel`.
      // Slow enough (25 pages × 1.5 s) that a cancel made by a CLI on the database directly, seconds per call, lands mid-run.
      stripe.control.setDelay(1500);
      const queued = await pb<{ run: { id: string } }>('syncs', 'trigger', sync.id, '--full', '--no-wait');
      const follower = startTs('src/cli/main.ts', ['syncs', 'run', queued.run.id, '--follow', '--interval', '100', ...scope], hub.ways[local]!);
      await follower.waitFor(/: running/, 30_000);
      expect(await pb('syncs', 'cancel', queued.run.id)).toMatchObject({ id: queued.run.id, cancelRequestedAt: expect.any(String) });
      expect(await follower.exited).toBe(1);
      stripe.control.setDelay(0);
      expect(follower.output().trim().split('\n').at(-1)).toMatch(new RegExp(`${queued.run.id}: cancelled`));
      const late = await cli(['syncs', 'cancel', queued.run.id, ...scope], hub.ways[remote]!);
      expect(late.code).toBe(2);
      expect(late.stderr).toMatch(/ended already/i);

      // A run the provider refuses ends failed: exit code 1 with its error.
      stripe.control.forceStatus(401);
      const failed = await cli(['syncs', 'trigger', sync.id], hub.ways[remote]!);
      stripe.control.clearForcedStatus();
      expect(failed.code).toBe(1);
      expect(failed.stdout.trim().split('\n').at(-1)).toMatch(/: failed in [\d.]+ s — .*: \w+/);
    },
    3 * TIMEOUT,
  );
});

describe('sources', () => {
  it(
    'creates a Stripe source and a generic one, rotates a secret and deletes them from the CLI (one way in, then the other)',
    async () => {
      const [local, remote] = ways() as [string, string];
      const [pb, rb] = [jsonCli(local), jsonCli(remote)];
      const created = await pb<{ id: string; url: string; connector: string; secretCount: number }>('sources', 'create', '--name', 'stripe (CLI)', '--connector', 'stripe', '--secret', 'whsec_first');
      expect(created).toMatchObject({ connector: 'stripe', secretCount: 1, unverified: false, verification: { type: 'preset' } });
      expect(created.url).toMatch(new RegExp(`^https?://.+/webhooks/in/${created.id}$`));
      expect((await rb<{ data: { id: string }[] }>('sources', 'list')).data.map((s) => s.id)).toContain(created.id);
      const shown = await cli(['sources', 'show', created.id, '--json'], hub.ways[local]!);
      expect(JSON.parse(shown.stdout)).toMatchObject({ id: created.id, name: 'stripe (CLI)' });
      expect(shown.stdout).not.toContain('whsec_first');
      expect(await rb('sources', 'rotate-secret', created.id, '--secret', 'whsec_second', '--keep-previous', '600')).toMatchObject({ id: created.id, secretCount: 2 });
      const generic = await rb<{ id: string; verification: unknown }>('sources', 'create', '--name', 'generic', '--verification', '{"type": "header", "header": "x-token"}', '--secret', 'tok');
      expect(generic.verification).toEqual({ type: 'header', header: 'x-token' });
      // A generic source that accepts anything must be asked for, and says so.
      const open = await pb<{ id: string; unverified: boolean }>('sources', 'create', '--name', 'open', '--unverified');
      expect(open.unverified).toBe(true);
      expect(await pb('sources', 'delete', open.id)).toEqual({ id: open.id, deleted: true });
      expect(await pb('sources', 'delete', created.id)).toEqual({ id: created.id, deleted: true });
      expect(await rb('sources', 'delete', generic.id)).toEqual({ id: generic.id, deleted: true });
      const gone = await cli(['sources', 'show', created.id, ...scope], hub.ways[remote]!);
      expect(gone.code).toBe(3);
      expect(gone.stderr).toContain(created.id);
    },
    TIMEOUT,
  );
});

describe('bad input and missing things', () => {
  it(
    'says what is wrong with exit code 2 (naming the field) or 3 (missing), never with a stack trace',
    async () => {
      // Refusals of the hub (its schemas and checks, or missing things), tried each way in…
      const [local, remote] = ways() as [string, string];
      const cases: [string, string[], number, RegExp][] = [
        [local, ['integrations', 'create', 'stripe', '--timeout', '5'], 2, /\/settings\/timeoutMs/],
        [remote, ['integrations', 'create', 'no-such-connector'], 2, /connectorKey/],
        [local, ['connections', 'create', '--integration', 'no-such', '--end-customer', 'c1', '--credential', 'apiKey=x'], 2, /\/integration/],
        [remote, ['sources', 'create', '--name', 'x', '--verification', '{"type": "hmac"}'], 2, /\/verification/],
        [local, ['sources', 'create', '--name', 'x'], 2, /\/verification: is required/],
        [local, ['sources', 'create', '--name', 'x', '--connector', 'no-such', '--secret', 's'], 2, /not a connector that receives webhooks/],
        [remote, ['records', 'list', 'conn-none', '--limit', '5000'], 2, /limit/],
        [local, ['connections', 'show', 'conn-none'], 3, /conn-none/],
        [remote, ['syncs', 'runs', 'sync_0000000000000000'], 3, /sync_0000000000000000/],
        [local, ['syncs', 'run', 'run_0000000000000000'], 3, /run_0000000000000000/],
        [remote, ['sources', 'delete', 'src_0000000000000000'], 3, /src_0000000000000000/],
        // …and of the command line itself, before any hub is asked.
        [local, ['connections', 'create', '--integration', 'stripe'], 2, /--end-customer/],
        [local, ['connections', 'create', '--integration', 'x', '--end-customer', 'c', '--credential', 'nope'], 2, /--credential must look like name=value/],
        [local, ['syncs', 'configure', 'conn-none', 'customers', '--historical-days', 'ten'], 2, /--historical-days must be a whole number/],
      ];
      for (const [way, args, code, message] of cases) {
        const result = await cli([...args, ...scope], hub.ways[way]!);
        expect(result.code, `${way}: ${args.join(' ')}\n${result.stderr}`).toBe(code);
        expect(result.stderr, `${way}: ${args.join(' ')}`).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    },
    3 * TIMEOUT,
  );
});
