/**
 * The alert lifecycle through the API: one unresolved alert per cause, the list with filters and
 * a cursor, acknowledge / resolve / snooze with roles, the timeline, `alert.*` events and the
 * audit log; alert rules per environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { events } from '../../src/events/index.ts';
import { auditLog } from '../../src/auth/schema.ts';
import { raiseAlert, type RaiseInput } from '../../src/alerts/index.ts';
import { opsHarness, MINUTE, type OpsHarness } from './support.ts';

let h: OpsHarness;
const scope = () => ({ organizationId: h.api.seed.organization.id, environmentId: h.devId });
const raise = (input: RaiseInput) => raiseAlert(h.api.database.db, h.clock, scope(), input);
const eventsOf = async (type: string) => (await h.api.database.db.select().from(events).where(and(eq(events.environmentId, h.devId), eq(events.type, type)))).map((e) => e.data);

beforeAll(async () => {
  h = await opsHarness();
});
afterAll(async () => {
  await h.close();
});

describe('alerts', () => {
  it('keeps one unresolved alert per cause and opens a new one once it was resolved', async () => {
    const first = await raise({ rule: 'dead_jobs', dedupKey: 'dead_jobs:test', title: 'Jobs failed', message: '12 jobs failed' });
    const again = await raise({ rule: 'dead_jobs', dedupKey: 'dead_jobs:test', title: 'Jobs failed', message: '13 jobs failed' });
    expect(first?.opened).toBe(true);
    expect(again).toMatchObject({ opened: false, alert: { id: first!.alert.id } });
    const resolved = await h.call('POST', `/api/v1/alerts/${first!.alert.id}/resolve`, { note: 'cleaned up' }, h.api.keys.developer);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: expect.stringMatching(/^api_key:/) });
    const third = await raise({ rule: 'dead_jobs', dedupKey: 'dead_jobs:test', title: 'Jobs failed', message: 'again' });
    expect(third).toMatchObject({ opened: true });
    expect(third!.alert.id).not.toBe(first!.alert.id);
    expect(third!.alert.severity).toBe('warning');
    expect((await eventsOf('alert.opened')).filter((d) => d.dedupKey === 'dead_jobs:test')).toHaveLength(2);
  });

  it('lists alerts newest first with filters and a cursor', async () => {
    await raise({ rule: 'connection_unhealthy', dedupKey: 'connection_unhealthy:list-a', title: 'A', message: 'a', subjectType: 'connection', subjectId: 'list-a' });
    await raise({ rule: 'endpoint_disabled', dedupKey: 'endpoint_disabled:ep_list', title: 'B', message: 'b', subjectType: 'endpoint', subjectId: 'ep_list' });
    const page1 = await h.call('GET', '/api/v1/alerts?limit=2', undefined, h.api.keys.viewer);
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((a: { title: string }) => a.title)).toEqual(['B', 'A']);
    const page2 = await h.call('GET', `/api/v1/alerts?limit=2&cursor=${page1.body.nextCursor}`, undefined, h.api.keys.viewer);
    expect(page2.body.data.map((a: { rule: string }) => a.rule)).toEqual(['dead_jobs', 'dead_jobs']);
    expect(page2.body.nextCursor).toBeNull();
    const critical = await h.call('GET', '/api/v1/alerts?severity=critical');
    expect(critical.body.data.map((a: { subjectId: string }) => a.subjectId)).toEqual(['list-a']);
    const bySubject = await h.call('GET', '/api/v1/alerts?subjectId=ep_list&status=open');
    expect(bySubject.body.data).toHaveLength(1);
    expect((await h.call('GET', '/api/v1/alerts?status=unresolved')).body.data).toHaveLength(3);
    const bad = await h.call('GET', '/api/v1/alerts?severity=loud');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('severity');
    // Another environment sees none of them.
    expect((await h.call('GET', '/api/v1/alerts', undefined, h.api.keys.prod)).body.data).toEqual([]);
  });

  it('lets developers acknowledge, records who did it, and refuses viewers with problem+json', async () => {
    const { alert } = (await raise({ rule: 'sync_failed', dedupKey: 'sync_failed:sync_ack', title: 'Sync failed', message: '3 runs failed' }))!;
    const refused = await h.api.app.inject({ method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge`, headers: { authorization: `Bearer ${h.api.keys.viewer}` }, payload: {} });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const acked = await h.call('POST', `/api/v1/alerts/${alert.id}/acknowledge`, { note: 'looking' }, h.api.keys.developer);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.stringMatching(/^api_key:key_/) });
    const detail = (await h.call('GET', `/api/v1/alerts/${alert.id}`, undefined, h.api.keys.viewer)).body;
    expect(detail.timeline.map((t: { kind: string }) => t.kind)).toEqual(['opened', 'acknowledged']);
    expect(detail.timeline[1]).toMatchObject({ actor: acked.body.acknowledgedBy, details: { note: 'looking' } });
    expect((await eventsOf('alert.acknowledged')).map((d) => d.alertId)).toContain(alert.id);
    const audited = await h.api.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'alert.acknowledged'), eq(auditLog.targetId, alert.id)));
    expect(audited).toHaveLength(1);
    const resolved = await h.call('POST', `/api/v1/alerts/${alert.id}/resolve`, {}, h.api.keys.developer);
    expect(resolved.body.status).toBe('resolved');
    const twice = await h.call('POST', `/api/v1/alerts/${alert.id}/resolve`, {}, h.api.keys.developer);
    expect(twice.status).toBe(409);
    expect(twice.body.type).toMatch(/conflict$/);
    expect((await h.call('POST', '/api/v1/alerts/alr_00000000000000000000/acknowledge', {})).status).toBe(404);
  });

  it('snoozes until a time, refuses a snooze without one, and opens the alert again when it ends', async () => {
    // Health opens and resolves its own alerts: evaluation leaves this one to the snooze.
    const { alert } = (await raise({ rule: 'connection_unhealthy', dedupKey: 'connection_unhealthy:snoozed', title: 'Unhealthy', message: 'failing', subjectType: 'connection', subjectId: 'snoozed' }))!;
    const missing = await h.call('POST', `/api/v1/alerts/${alert.id}/snooze`, {}, h.api.keys.developer);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body.errors)).toContain('/until');
    const past = await h.call('POST', `/api/v1/alerts/${alert.id}/snooze`, { until: new Date(h.clock.now().getTime() - 1_000).toISOString() }, h.api.keys.developer);
    expect(past.status).toBe(400);
    const snoozed = await h.call('POST', `/api/v1/alerts/${alert.id}/snooze`, { minutes: 30 }, h.api.keys.developer);
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: new Date(h.clock.now().getTime() + 30 * MINUTE).toISOString() });
    await h.ops.evaluate();
    expect((await h.call('GET', `/api/v1/alerts/${alert.id}`)).body.status).toBe('snoozed');
    h.clock.advance(31 * MINUTE);
    await h.ops.evaluate();
    const after = (await h.call('GET', `/api/v1/alerts/${alert.id}`)).body;
    expect(after.status).toBe('open');
    expect(after.timeline.map((t: { kind: string }) => t.kind)).toEqual(['opened', 'snoozed', 'reopened']);
  });
});

describe('alert rules', () => {
  it('lists every rule with its defaults, on by default', async () => {
    const res = await h.call('GET', '/api/v1/alert-rules', undefined, h.api.keys.prod);
    expect(res.status).toBe(200);
    const rules = res.body.data as { rule: string; enabled: boolean; customized: boolean }[];
    expect(rules.map((r) => r.rule)).toEqual(['connection_unhealthy', 'token_refresh_failed', 'endpoint_disabled', 'endpoint_failing', 'sync_failed', 'dead_jobs', 'inbound_failing', 'quota_usage', 'health_thresholds', 'credential_rotation_overdue']);
    expect(rules.every((r) => r.enabled && !r.customized)).toBe(true);
    expect(rules.find((r) => r.rule === 'dead_jobs')).toMatchObject({ severity: 'warning', params: { above: 10 }, channelIds: null, minSeverity: 'info', quietHours: null });
  });

  it('changes a rule for one environment only, for admins only, naming a bad field', async () => {
    expect((await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { params: { above: 5 } }, h.api.keys.developer)).status).toBe(403);
    const changed = await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { params: { above: 5 }, severity: 'critical', quietHours: { start: '22:00', end: '07:00' }, repeatMinutes: 30 });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ customized: true, severity: 'critical', params: { above: 5 }, quietHours: { start: '22:00', end: '07:00' }, repeatMinutes: 30 });
    expect((await h.call('GET', '/api/v1/alert-rules/dead_jobs', undefined, h.api.keys.prod)).body).toMatchObject({ customized: false, params: { above: 10 } });
    const unknownParam = await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { params: { below: 1 } });
    expect(unknownParam.status).toBe(400);
    expect(unknownParam.body.errors[0].field).toBe('/params/below');
    const badHours = await h.call('PATCH', '/api/v1/alert-rules/dead_jobs', { quietHours: { start: '25:00', end: '07:00' } });
    expect(badHours.body.errors[0].field).toBe('/quietHours/start');
    expect((await h.call('PATCH', '/api/v1/alert-rules/no_such_rule', { enabled: false })).status).toBe(404);
  });
});
