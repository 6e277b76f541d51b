/**
 * HubSpot CRM: contacts, companies and deals of one HubSpot account, connected with OAuth.
 * API reference: https://developers.hubspot.com/docs/api-reference (account details, error
 * handling, CRM objects); OAuth: https://developers.hubspot.com/docs/api/oauth-quickstart-guide
 * Webhooks: https://developers.hubspot.com/docs/api/webhooks and request validation (v1, v2, v3).
 */
import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { SyncContext, SyncDefinition } from '../extensions.ts';
import { connected, defineConnector, expectOk, monogramIcon, hmac, jsonField, matchesAny, parseJsonBody, refused, verified, withinTolerance } from '../sdk.ts';

interface AccountDetails {
  portalId: number;
  accountType?: string;
  timeZone?: string;
  companyCurrency?: string;
  uiDomain?: string;
  dataHostingLocation?: string;
}

const hubspotEvents = (payload: unknown): unknown[] => (Array.isArray(payload) ? payload : payload === undefined ? [] : [payload]);

// v3 signs the URI with these characters decoded (the `?` before the query stays as it is).
const V3_DECODED: Record<string, string> = { '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';' };
const decodeHubspotUri = (uri: string): string => uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => V3_DECODED[m.toUpperCase()]!);

interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived?: boolean;
  archivedAt?: string;
}

type ObjectType = 'contacts' | 'companies' | 'deals';

const PROPERTIES: Record<ObjectType, string[]> = {
  contacts: ['email', 'firstname', 'lastname', 'lifecyclestage', 'createdate', 'lastmodifieddate'],
  companies: ['name', 'domain', 'industry', 'createdate', 'hs_lastmodifieddate'],
  deals: ['dealname', 'amount', 'dealstage', 'pipeline', 'createdate', 'hs_lastmodifieddate'],
};

const Text = Type.Union([Type.String(), Type.Null()]);
const SCHEMAS = {
  contacts: Type.Object({ id: Type.String(), email: Text, firstname: Text, lastname: Text, lifecyclestage: Type.Optional(Text), createdAt: Type.String(), updatedAt: Type.String() }),
  companies: Type.Object({ id: Type.String(), name: Text, domain: Text, industry: Type.Optional(Text), createdAt: Type.String(), updatedAt: Type.String() }),
  deals: Type.Object({ id: Type.String(), dealname: Text, amount: Text, dealstage: Text, pipeline: Type.Optional(Text), createdAt: Type.String(), updatedAt: Type.String() }),
};

/** Contacts keep their modification time in `lastmodifieddate`; other objects in `hs_lastmodifieddate`. */
const modifiedProperty = (type: ObjectType): string => (type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate');

function toRecord(o: CrmObject) {
  const { createdate: _c, lastmodifieddate: _l, hs_lastmodifieddate: _h, hs_object_id: _o, ...properties } = o.properties;
  return { externalId: o.id, data: { id: o.id, ...properties, createdAt: o.createdAt, updatedAt: o.updatedAt }, updatedAt: o.updatedAt };
}

/** Where an incremental read stands: modified at or after `since`, the first `skip` of those already read. */
interface Checkpoint {
  since?: number;
  skip?: number;
  /** During a full read: the list cursor. */
  after?: string;
}

/** Everything, in id order (`after` cursor); the newest modification seen becomes the next `since`. */
async function readAll(ctx: SyncContext, type: ObjectType): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<Checkpoint>()) ?? {};
  let newest = checkpoint.since ?? 0;
  const floor = ctx.since?.getTime() ?? 0;
  const pages = ctx.paginate<CrmObject>(
    { path: `/crm/v3/objects/${type}`, query: { limit: 100, properties: PROPERTIES[type].join(',') } },
    { type: 'cursor', results: 'results', cursorPath: 'paging.next.after', cursorParam: 'after', start: checkpoint.after },
  );
  for await (const page of pages) {
    const wanted = page.items.filter((o) => Date.parse(o.updatedAt) >= floor);
    for (const o of wanted) newest = Math.max(newest, Date.parse(o.updatedAt));
    await ctx.batchSave(wanted.map(toRecord));
    await ctx.checkpoint.save({ after: page.next, since: newest });
  }
  await ctx.checkpoint.save({ since: newest });
}

/**
 * What changed since the checkpoint, by the search API sorted by modification time. Each query
 * starts at the newest modification read so far (keyset paging), so records changing while the
 * run reads cannot shift others out of view; `skip` steps over ties at that instant.
 */
async function readChanges(ctx: SyncContext, type: ObjectType): Promise<void> {
  const checkpoint = (await ctx.checkpoint.get<Checkpoint>()) ?? {};
  let since = checkpoint.since ?? ctx.since?.getTime() ?? 0;
  let skip = checkpoint.skip ?? 0;
  const property = modifiedProperty(type);
  for (;;) {
    const request = {
      method: 'POST' as const,
      path: `/crm/v3/objects/${type}/search`,
      // A search changes nothing: safe to send again.
      idempotent: true,
      body: {
        filterGroups: [{ filters: [{ propertyName: property, operator: 'GTE', value: String(since) }] }],
        sorts: [{ propertyName: property, direction: 'ASCENDING' }],
        properties: PROPERTIES[type],
        limit: 100,
        ...(skip > 0 ? { after: String(skip) } : {}),
      },
    };
    // One page per query: the next query starts from where this one ended.
    const result = await ctx.paginate<CrmObject>(request, { type: 'cursor', in: 'body', results: 'results', cursorPath: 'paging.next.after', cursorParam: 'after' }).next();
    if (result.done) break;
    const page = result.value;
    await ctx.batchSave(page.items.map(toRecord));
    const last = page.items.at(-1);
    const newest = last ? Date.parse(last.updatedAt) : since;
    if (newest > since) {
      skip = page.items.filter((o) => Date.parse(o.updatedAt) === newest).length;
      since = newest;
    } else skip += page.items.length;
    await ctx.checkpoint.save({ since, skip });
    if (page.next === undefined) break;
  }
  // Archived (deleted) objects since the last run.
  const floor = checkpoint.since ?? ctx.since?.getTime() ?? 0;
  for await (const page of ctx.paginate<CrmObject>(
    { path: `/crm/v3/objects/${type}`, query: { limit: 100, archived: true } },
    { type: 'cursor', results: 'results', cursorPath: 'paging.next.after', cursorParam: 'after' },
  )) {
    await ctx.batchDelete(page.items.filter((o) => o.archivedAt && Date.parse(o.archivedAt) >= floor).map((o) => o.id));
  }
  await ctx.checkpoint.save({ since, skip });
}

function crmSync(type: ObjectType): SyncDefinition {
  return {
    model: type,
    description: `HubSpot ${type}`,
    schema: SCHEMAS[type],
    frequency: 'hourly',
    dataStrategy: 'events',
    exec: (ctx) => (ctx.full ? readAll(ctx, type) : readChanges(ctx, type)),
    async update(ctx, change) {
      expectOk(await ctx.http.request({ method: 'PATCH', path: `/crm/v3/objects/${type}/${encodeURIComponent(change.externalId)}`, body: { properties: change.changes } }));
    },
  };
}

export default defineConnector({
  key: 'hubspot',
  name: 'HubSpot',
  description: 'Contacts, companies and deals from a HubSpot CRM account, connected with OAuth.',
  category: 'crm',
  icon: monogramIcon('Hs', '#ff7a59'),
  capabilities: ['proxy', 'records', 'webhooks'],
  connectionMode: 'oauth',
  auth: {
    authorizationUrl: 'https://app.hubspot.com/oauth/authorize',
    tokenUrl: 'https://api.hubapi.com/oauth/v1/token',
    // HubSpot has no RFC 7009 endpoint (it deletes refresh tokens with DELETE /oauth/v1/refresh-tokens/{token}).
    scopes: ['oauth', 'crm.objects.contacts.read'],
    // The token endpoint takes client_id and client_secret in the form body.
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  baseUrls: { production: 'https://api.hubapi.com' },
  // Public apps: 110 requests every 10 seconds per installed account.
  rateLimit: '110/10 seconds',
  uiEmbeds: [{ surface: 'dashboard', placement: 'sidebar', title: 'HubSpot contacts' }],
  docsUrl: 'https://developers.hubspot.com/docs/api-reference',
  syncs: [crmSync('contacts'), crmSync('companies'), crmSync('deals')],

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<AccountDetails>({ path: '/account-info/v3/details' }));
    return connected({
      id: String(body.portalId),
      name: `HubSpot account ${body.portalId}`,
      accountType: body.accountType,
      timeZone: body.timeZone,
      currency: body.companyCurrency,
      dataHostingLocation: body.dataHostingLocation,
    });
  },


  // https://developers.hubspot.com/docs/apps/legacy-apps/authentication/validating-requests:
  // v3 signs method + URI + body + timestamp (ms) with HMAC-SHA256 (base64); v2 is
  // sha256(secret + method + URI + body) and v1 sha256(secret + body), both hex.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const v3 = request.headers['x-hubspot-signature-v3'];
      if (v3) {
        const timestamp = request.headers['x-hubspot-request-timestamp'];
        const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds, 'milliseconds');
        if (stale) return refused(stale);
        const uri = decodeHubspotUri(request.url);
        const expected = secrets.map((secret) => hmac('sha256', secret, request.method, uri, request.rawBody, timestamp!).toString('base64'));
        return matchesAny(expected, [v3]) ? verified : refused('the v3 signature does not match');
      }
      const signature = request.headers['x-hubspot-signature'];
      const version = request.headers['x-hubspot-signature-version'] ?? 'v1';
      if (!signature) return refused('no X-HubSpot-Signature-v3 or X-HubSpot-Signature header');
      if (version !== 'v1' && version !== 'v2') return refused(`unknown signature version ${version}`);
      const expected = secrets.map((secret) =>
        createHash('sha256')
          .update(version === 'v2' ? `${secret}${request.method}${request.url}` : secret)
          .update(request.rawBody)
          .digest('hex'),
      );
      return matchesAny(expected, [signature]) ? verified : refused(`the ${version} signature does not match`);
    },
    // A delivery carries up to 100 events; a retry carries the same ones.
    eventId(request) {
      const ids = hubspotEvents(parseJsonBody(request)).map((event) => jsonField(event, 'eventId')).filter((id) => id !== undefined);
      return ids.length > 0 ? ids.join(',') : undefined;
    },
    route(request) {
      const payload = parseJsonBody(request);
      const [first] = hubspotEvents(payload);
      return { eventType: jsonField(first, 'subscriptionType') ?? 'unknown', externalAccountId: jsonField(first, 'portalId'), payload };
    },
  },
});
