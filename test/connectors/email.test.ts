/**
 * The Email (SMTP) connector against a real SMTP server on loopback (the email simulator,
 * smtp-server): signing in, a wrong password refused as invalid credentials, mail sent with the
 * connection's sender, and inputs that would not be a safe message refused before sending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectorContext, getConnector, loadRegistry, runAction, runConnectionTest, type Connector, type ConnectorContextOptions } from '../../src/connectors/index.ts';
import { startEmailSimulator, type EmailSimulatorHandle } from '../../simulators/index.ts';

let sim: EmailSimulatorHandle;
let connector: Connector;
beforeAll(async () => {
  await loadRegistry();
  connector = getConnector('email')!;
  sim = await startEmailSimulator();
});
afterAll(() => sim?.close());

const options = (over: { credentials?: Record<string, string>; config?: Record<string, string> } = {}): ConnectorContextOptions => ({
  credentials: { ...sim.sample.credentials, ...over.credentials },
  connectionConfig: { ...sim.sample.connectionConfig, ...over.config },
});

describe('the Email (SMTP) connector', () => {
  it('signs in to the SMTP server to test the connection, sending nothing', async () => {
    const result = await runConnectionTest(connector, options());
    expect(result).toMatchObject({ ok: true, accountInfo: { name: `patchbay-sim · 127.0.0.1`, from: 'hub@patchbay-sim.example' } });
    expect(sim.mails).toHaveLength(0);
  });

  it('fails as invalid credentials when the server refuses the password (535)', async () => {
    const result = await runConnectionTest(connector, options({ credentials: { password: 'not-the-password' } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid_credentials');
    expect(result.error.message).toContain('Email (SMTP) did not accept the username and password');
    expect(result.error.message).not.toContain('not-the-password');
  });

  it('fails as connection refused when nothing listens, and insists on STARTTLS when told to', async () => {
    const refused = await runConnectionTest(connector, options({ config: { port: '1' } }));
    expect(refused).toMatchObject({ ok: false, error: { code: 'connection_refused' } });
    // The simulator offers no STARTTLS: with `starttls` the connector will not sign in in clear.
    const clear = await runConnectionTest(connector, options({ config: { tls: 'starttls' } }));
    expect(clear.ok).toBe(false);
    expect(sim.mails).toHaveLength(0);
  });

  it('sends a message from the connection’s sender address through the send action', async () => {
    const ctx = createConnectorContext(connector, options({ config: { fromName: 'Acme Alerts' } }));
    const result = await runAction(connector, 'send', ctx, { to: ['ann@example.com', 'bob@example.com'], cc: 'cat@example.com', subject: 'Your report', text: 'Hello', html: '<p>Hello</p>' });
    expect(result).toMatchObject({ messageId: expect.stringMatching(/^<.+>$/), accepted: ['ann@example.com', 'bob@example.com', 'cat@example.com'], rejected: [] });
    const mail = sim.mails.at(-1)!;
    expect(mail).toMatchObject({ from: 'hub@patchbay-sim.example', to: ['ann@example.com', 'bob@example.com', 'cat@example.com'], user: 'patchbay-sim' });
    expect(mail.raw).toContain('From: Acme Alerts <hub@patchbay-sim.example>');
    expect(mail.raw).toContain('Subject: Your report');
  });

  it('refuses, before sending, a subject with a line break, an unknown field, or no body', async () => {
    const ctx = createConnectorContext(connector, options());
    const before = sim.mails.length;
    await expect(runAction(connector, 'send', ctx, { to: 'ann@example.com', subject: 'Hi\r\nBcc: all@example.com', text: 'x' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(runAction(connector, 'send', ctx, { to: 'ann@example.com', subject: 'Hi', text: 'x', from: 'ceo@example.com' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(runAction(connector, 'send', ctx, { to: 'ann@example.com', subject: 'Hi' })).rejects.toMatchObject({ code: 'bad_request', detail: expect.stringContaining('text or html') });
    await expect(runAction(connector, 'nope', ctx, {})).rejects.toMatchObject({ code: 'bad_request' });
    expect(sim.mails.length).toBe(before);
  });
});
