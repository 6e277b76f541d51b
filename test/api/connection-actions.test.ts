/**
 * Connector actions through the API: the Email connector's `send` against a real SMTP server on
 * loopback (the email simulator), listed with its schema, run with the connection's credential,
 * audited without the message, refused before sending when the input does not fit, and a
 * provider's refusal answered as a problem that names what to check and never the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog } from '../../src/auth/schema.ts';
import { startEmailSimulator, startSimulator, type EmailSimulatorHandle, type SimulatorHandle } from '../../simulators/index.ts';
import { bearer } from '../support/api.ts';
import { createSyncApi, type SyncApi } from '../syncs/api-support.ts';

let t: SyncApi;
let smtp: EmailSimulatorHandle;
let stripe: SimulatorHandle;

beforeAll(async () => {
  t = await createSyncApi();
  [smtp, stripe] = await Promise.all([startEmailSimulator(), startSimulator('stripe')]);
  // SMTP has no HTTP base URL: the connector opens its own socket to the configured host.
  t.connect('conn_mail', 'email', smtp, { baseUrl: undefined });
  t.connect('conn_mail_wrong', 'email', smtp, { baseUrl: undefined, credentials: { ...smtp.sample.credentials, password: 'not-the-password' } });
  t.connect('conn_stripe', 'stripe', stripe);
});
afterAll(async () => {
  await Promise.all([smtp.close(), stripe.close()]);
  await t.close();
});

const run = (connection: string, action: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.api.app.inject({ method: 'POST', url: `/api/v1/connections/${connection}/actions/${action}`, headers: { ...t.auth, ...headers }, payload: payload as object });

describe('GET /api/v1/connections/{id}/actions', () => {
  it("lists the connector's actions with their input schemas", async () => {
    const res = await t.api.app.inject({ method: 'GET', url: '/api/v1/connections/conn_mail/actions', headers: t.auth });
    expect(res.statusCode).toBe(200);
    const [send] = res.json().data;
    expect(send).toMatchObject({ name: 'send', description: expect.stringContaining('Sends one email') });
    expect(send.input.properties).toHaveProperty('subject');
    expect(send.input.required).toContain('to');
    const none = await t.api.app.inject({ method: 'GET', url: '/api/v1/connections/conn_stripe/actions', headers: t.auth });
    expect(none.json()).toEqual({ data: [] });
  });
});

describe('POST /api/v1/connections/{id}/actions/{action}', () => {
  it("sends the email with the connection's credential and sender, and audits it without the message", async () => {
    const before = smtp.mails.length;
    const res = await run('conn_mail', 'send', { to: 'ann@example.com', subject: 'Your weekly report', text: 'Private numbers' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ action: 'send', output: { messageId: expect.stringMatching(/^<.+>$/), accepted: ['ann@example.com'], rejected: [] } });
    expect(smtp.mails).toHaveLength(before + 1);
    expect(smtp.mails.at(-1)).toMatchObject({ from: 'hub@patchbay-sim.example', to: ['ann@example.com'], user: smtp.sample.credentials.username });

    const audit = await t.api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.action_ran'), eq(auditLog.targetId, 'conn_mail')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toEqual({ action: 'send' });
    expect(JSON.stringify(audit[0])).not.toContain('Private numbers');
  });

  it('refuses an input that does not fit the schema with 400 naming each field, sending nothing', async () => {
    const before = smtp.mails.length;
    const res = await run('conn_mail', 'send', { to: 'ann@example.com', subject: 'Line\r\nBcc: everyone@example.com', text: 'x', priority: 'high' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('/subject');
    expect(res.json().detail).toContain('nothing was sent');
    expect(smtp.mails).toHaveLength(before);
  });

  it('answers 404 for an action the connector does not have, Object.prototype names included, and for an unknown connection', async () => {
    for (const name of ['archive', 'constructor', 'toString']) {
      const res = await run('conn_mail', name, {});
      expect(res.statusCode, name).toBe(404);
      expect(res.json().detail).toContain('it has send');
    }
    const stripeRes = await run('conn_stripe', 'send', {});
    expect(stripeRes.statusCode).toBe(404);
    expect(stripeRes.json().detail).toContain('it has none');
    expect((await run('conn_nowhere', 'send', {})).statusCode).toBe(404);
  });

  it("answers a provider's refusal as action-failed with its code and hint, never echoing the password", async () => {
    const refused = await run('conn_mail_wrong', 'send', { to: 'ann@example.com', subject: 'Hi', text: 'x' });
    expect(refused.statusCode).toBe(502);
    expect(refused.json()).toMatchObject({ type: expect.stringContaining('action-failed'), code: 'invalid_credentials', hint: expect.any(String) });
    expect(refused.body).not.toContain('not-the-password');
    const audit = await t.api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'connection.action_failed'), eq(auditLog.targetId, 'conn_mail_wrong')));
    expect(audit.map((a) => a.details)).toEqual([{ action: 'send', code: 'invalid_credentials' }]);

    // The action's own refusal of what was asked (an email with neither text nor HTML) is the caller's to fix.
    const noBody = await run('conn_mail', 'send', { to: 'ann@example.com', subject: 'Hi' });
    expect(noBody.statusCode).toBe(422);
    expect(noBody.json()).toMatchObject({ code: 'bad_request', detail: expect.stringContaining('needs text or html') });
  });

  it('sends once for two requests with one Idempotency-Key, the replay answering the first result', async () => {
    const before = smtp.mails.length;
    const headers = { 'idempotency-key': 'report-2026-12-04' };
    const first = await run('conn_mail', 'send', { to: 'bob@example.com', subject: 'Once', text: 'Only once' }, headers);
    const second = await run('conn_mail', 'send', { to: 'bob@example.com', subject: 'Once', text: 'Only once' }, headers);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.json().output.messageId).toBe(first.json().output.messageId);
    expect(smtp.mails).toHaveLength(before + 1);
  });

  it('needs the proxy:use scope: a viewer key is refused with 403 and nothing is sent', async () => {
    const before = smtp.mails.length;
    const res = await t.api.app.inject({ method: 'POST', url: '/api/v1/connections/conn_mail/actions/send', headers: bearer(t.api.keys.viewer), payload: { to: 'ann@example.com', subject: 'Hi', text: 'x' } });
    expect(res.statusCode).toBe(403);
    expect(smtp.mails).toHaveLength(before);
    const list = await t.api.app.inject({ method: 'GET', url: '/api/v1/connections/conn_mail/actions', headers: bearer(t.api.keys.viewer) });
    expect(list.statusCode).toBe(200);
  });
});
