import { pgTable, text, jsonb, timestamp, index, uniqueIndex, integer } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { createdAt } from '../db/columns.ts';

/**
 * Everything that happened, per environment. Written in the same transaction as the change that
 * caused it (the outbox); outbound delivery and other consumers read from here.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    environmentId: text('environment_id').notNull(),
    type: text('type').notNull(),
    schemaVersion: integer('schema_version').notNull().default(1),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** The publisher's own id (`eventId` in the API): a repeat returns the first event. */
    externalId: text('external_id'),
    channels: jsonb('channels').$type<string[]>().notNull().default([]),
    /** Where it came from: `api`, `system`, `inbound:<sourceId>`. */
    origin: text('origin').notNull().default('system'),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('events_env_id').on(t.organizationId, t.environmentId, t.id),
    uniqueIndex('events_env_external_id').on(t.environmentId, t.externalId).where(sql`${t.externalId} is not null`),
  ],
);
