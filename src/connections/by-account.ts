import { and, desc, eq, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/index.ts';
import { connections } from './schema.ts';

export interface AccountLookup {
  organizationId: string;
  environmentId: string;
  connectorKey: string;
  /** Only this integration's connections, when given. */
  integrationId?: string | null | undefined;
  /** The provider's account id as its webhooks name it: Stripe `acct_…`, HubSpot portal id, Slack team id, Okta domain. */
  externalAccountId: string;
}

/**
 * The connection of a provider account, as inbound webhooks route events: the account id its
 * last test recorded (`accountInfo.id`) or, for connectors addressed by domain, its `domain`
 * configuration. A disconnected connection is passed over; the most recently changed one wins.
 */
export async function findConnectionByAccount(db: Db, lookup: AccountLookup): Promise<string | undefined> {
  const [row] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(
      and(
        eq(connections.organizationId, lookup.organizationId),
        eq(connections.environmentId, lookup.environmentId),
        eq(connections.connectorKey, lookup.connectorKey),
        lookup.integrationId ? eq(connections.integrationId, lookup.integrationId) : undefined,
        ne(connections.status, 'disconnected'),
        or(sql`${connections.accountInfo}->>'id' = ${lookup.externalAccountId}`, sql`${connections.config}->>'domain' = ${lookup.externalAccountId}`),
      ),
    )
    .orderBy(desc(connections.statusChangedAt))
    .limit(1);
  return row?.id;
}
