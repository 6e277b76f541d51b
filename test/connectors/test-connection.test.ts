import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineConnector,
  getConnector,
  loadRegistry,
  monogramIcon,
  runConnectionTest,
  type ConnectorContextOptions,
} from '../../src/connectors/index.ts';
import { startSimulator, type SimulatorHandle } from '../../simulators/index.ts';

// Connectors tested end to end against their simulators: two OAuth, three API-key, one with
// HTTP-200 errors (Slack) and one with 403-for-rate-limit (Salesforce).
const KEYS = ['stripe', 'hubspot', 'slack', 'github', 'pagerduty', 'okta', 'salesforce', 'segment', 'custom-oauth'] as const;
const NAMES: Record<string, string> = {
  stripe: 'Stripe',
  hubspot: 'HubSpot',
  slack: 'Slack',
  github: 'GitHub',
  pagerduty: 'PagerDuty',
  okta: 'Okta',
  salesforce: 'Salesforce',
  segment: 'Segment',
  'custom-oauth': 'Custom OAuth 2.0',
};

const sims: Record<string, SimulatorHandle> = {};

beforeAll(async () => {
  await loadRegistry();
  for (const key of KEYS) sims[key] = await startSimulator(key);
});
afterAll(async () => {
  await Promise.all(Object.values(sims).map((s) => s.close()));
});

function options(key: string, extra: Partial<ConnectorContextOptions> = {}): ConnectorContextOptions {
  const sim = sims[key]!;
  return {
    baseUrl: sim.baseUrl,
    credentials: sim.sample.credentials,
    connectionConfig: sim.sample.connectionConfig,
    integrationConfig: sim.sample.integrationConfig,
    metadata: sim.sample.metadata,
    timeoutMs: 2_000,
    ...extra,
  };
}

async function test(key: string, extra: Partial<ConnectorContextOptions> = {}) {
  return runConnectionTest(getConnector(key)!, options(key, extra));
}

async function failure(key: string, extra: Partial<ConnectorContextOptions> = {}) {
  const result = await test(key, extra);
  if (result.ok) throw new Error(`${key} test unexpectedly succeeded: ${JSON.stringify(result.accountInfo)}`);
  return result.error;
}

describe.each(KEYS)('testing a %s connection', (key) => {
  const provider = NAMES[key]!;

  it('answers connected with the account when the simulator says 200', async () => {
    const result = await test(key);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.accountInfo.name ?? result.accountInfo.id).toBeTruthy();
  });

  it('says the credential was refused on 401', async () => {
    sims[key]!.control.forceStatus(401, { times: 1 });
    const error = await failure(key);
    expect(error.code).toBe('invalid_credentials');
    expect(error.message).toContain(`${provider} did not accept the`);
    expect(error.hint).toMatch(/Reconnect the account|Check the .* entered for this connection/);
  });

  it('says permissions are missing on 403', async () => {
    sims[key]!.control.forceStatus(403, { times: 1 });
    const error = await failure(key);
    expect(error.code).toBe('insufficient_permissions');
    expect(error.message).toContain(`${provider} accepted the`);
    expect(error.hint).toMatch(/permission/);
  });

  it('says what was not found on 404', async () => {
    sims[key]!.control.forceStatus(404, { times: 1 });
    const error = await failure(key);
    expect(error.code).toBe('not_found');
    expect(error.hint).toMatch(/base URL/);
  });

  it('says how long to wait on 429 with Retry-After', async () => {
    sims[key]!.control.forceStatus(429, { times: 1, retryAfterSeconds: 42 });
    const error = await failure(key);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(42);
    expect(error.message).toContain(`${provider} is rate-limiting requests`);
    expect(error.hint).toContain('Wait 42 seconds');
  });

  it('says the fault is on the provider side on 5xx', async () => {
    sims[key]!.control.forceStatus(503, { times: 1 });
    const error = await failure(key);
    expect(error.code).toBe('provider_error');
    expect(error.hint).toContain('status page');
  });
});

describe('network failures', () => {
  it('reports a timeout when the provider is slow', async () => {
    const sim = sims.stripe!;
    sim.control.setDelay(2_000);
    try {
      const started = Date.now();
      const error = await failure('stripe', { timeoutMs: 200 });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(error).toMatchObject({ code: 'timeout', message: 'Stripe did not answer within 0.2 s.' });
      expect(error.hint).toContain("raise the integration's timeout");
    } finally {
      sim.control.setDelay(0);
    }
  });

  it('reports a refused connection on a closed port', async () => {
    const port = await closedPort();
    const error = await failure('hubspot', { baseUrl: `http://127.0.0.1:${port}` });
    expect(error.code).toBe('connection_refused');
    expect(error.message).toBe(`Nothing accepted the connection at 127.0.0.1:${port} (connection refused).`);
    expect(error.hint).toMatch(/must be running/);
  });

  it('reports a DNS failure naming the host and the configuration field to check', async () => {
    // .invalid never resolves (RFC 6761).
    const error = await failure('okta', { baseUrl: undefined, connectionConfig: { domain: 'no-such-org.invalid' } });
    expect(error.code).toBe('dns_failure');
    expect(error.message).toBe('The host no-such-org.invalid could not be found (DNS lookup failed).');
    expect(error.hint).toContain('Check Okta domain in the connection');
  });
});

describe('configuration and connector faults', () => {
  it('reports missing configuration before calling the provider', async () => {
    const before = sims.okta!.control.requests.length;
    const error = await failure('okta', { connectionConfig: {} });
    expect(error.code).toBe('invalid_configuration');
    expect(error.message).toContain('Okta domain is required');
    expect(sims.okta!.control.requests.length).toBe(before);
  });

  it('reports a configuration value that fails its pattern', async () => {
    const error = await failure('okta', { connectionConfig: { domain: 'https://acme.okta.com/' } });
    expect(error.code).toBe('invalid_configuration');
    expect(error.message).toContain('Okta domain is a host name such as acme.okta.com, without https://');
  });

  it('turns a bug in a connector into connector_error instead of throwing', async () => {
    const buggy = defineConnector({
      key: 'buggy',
      name: 'Buggy',
      description: 'Throws.',
      category: 'dev',
      icon: monogramIcon('B', '#000'),
      capabilities: ['proxy'],
      connectionMode: 'apiKey',
      auth: { fields: { apiKey: { label: 'API key', secret: true } }, inject: { in: 'header', name: 'X-Key', format: '{apiKey}' } },
      baseUrls: { production: 'https://buggy.example' },
      docsUrl: 'https://buggy.example',
      async testConnection() {
        throw new TypeError('cannot read properties of undefined');
      },
    });
    const result = await runConnectionTest(buggy, { credentials: { apiKey: 'k' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'connector_error' } });
  });

  it('tests a webhook-only provider without calling anything', async () => {
    const result = await runConnectionTest(getConnector('custom-webhook')!, { credentials: {} });
    expect(result.ok).toBe(true);
  });

  it('tells a custom provider without a test path that nothing was tried', async () => {
    const { testPath: _t, ...integrationConfig } = sims['custom-oauth']!.sample.integrationConfig;
    const result = await test('custom-oauth', { integrationConfig });
    expect(result).toMatchObject({ ok: true, accountInfo: { note: expect.stringContaining('not tried') } });
  });
});

describe('provider-specific answers', () => {
  it('maps Slack errors sent with HTTP 200 by their name', async () => {
    const slack = sims.slack!;
    slack.control.credentials.add('xoxb-revoked');
    slack.control.credentials.delete('xoxb-revoked');
    const error = await failure('slack', { credentials: { accessToken: 'xoxb-revoked' } });
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 200 });
    expect(error.message).toContain('Slack said: "invalid_auth"');
  });

  it('reads an expired OAuth access token as invalid credentials', async () => {
    const okta = sims.okta!;
    const { accessToken } = okta.oauth!.control.issueTokens('openid okta.users.read.self');
    okta.control.expiry.set(accessToken, Date.now() - 1);
    const error = await failure('okta', { credentials: { accessToken } });
    expect(error.code).toBe('invalid_credentials');
    expect(error.message).toContain('Okta said: "Invalid token provided"');
  });

  it('accepts a newly valid Stripe key and refuses an unknown one with Stripe\'s masked message', async () => {
    const error = await failure('stripe', { credentials: { apiKey: 'sk_test_unknownkey00000000000001' } });
    expect(error.code).toBe('invalid_credentials');
    expect(error.message).toMatch(/Invalid API Key provided: sk_test_\*+0001/);
    sims.stripe!.control.credentials.add('sk_test_unknownkey00000000000001');
    expect((await test('stripe', { credentials: { apiKey: 'sk_test_unknownkey00000000000001' } })).ok).toBe(true);
  });

  it('treats a real rate limit from the simulator like a forced one', async () => {
    const pagerduty = sims.pagerduty!;
    pagerduty.control.setRateLimit(1, 60_000);
    try {
      expect((await test('pagerduty')).ok).toBe(true);
      const error = await failure('pagerduty');
      expect(error.code).toBe('rate_limited');
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      pagerduty.control.setRateLimit(null);
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
