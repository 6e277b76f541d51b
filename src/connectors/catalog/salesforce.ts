/**
 * Salesforce: accounts, contacts and opportunities of one org, connected with OAuth (web server
 * flow with PKCE). The org's own host comes back as `instance_url` in the token response and
 * becomes the base URL. API reference:
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/ and OAuth endpoints:
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm
 */
import { Type } from 'typebox';
import type { SyncContext, SyncDefinition } from '../extensions.ts';
import { ProviderFailureError, connected, defineConnector, expectOk, monogramIcon } from '../sdk.ts';

const API = '/services/data/v62.0';

type SalesforceErrors = { errorCode?: string; message?: string }[];

interface OrganizationQuery {
  records: { Id: string; Name: string; OrganizationType?: string; IsSandbox?: boolean }[];
}

type SObjectType = 'Account' | 'Contact' | 'Opportunity';

const FIELDS: Record<SObjectType, string[]> = {
  Account: ['Id', 'Name', 'Industry', 'Website', 'CreatedDate', 'LastModifiedDate'],
  Contact: ['Id', 'FirstName', 'LastName', 'Email', 'AccountId', 'CreatedDate', 'LastModifiedDate'],
  Opportunity: ['Id', 'Name', 'StageName', 'Amount', 'CloseDate', 'CreatedDate', 'LastModifiedDate'],
};

const Text = Type.Union([Type.String(), Type.Null()]);
const SCHEMAS: Record<SObjectType, ReturnType<typeof Type.Object>> = {
  Account: Type.Object({ Id: Type.String(), Name: Type.String(), Industry: Text, Website: Text, CreatedDate: Type.String(), LastModifiedDate: Type.String() }),
  Contact: Type.Object({ Id: Type.String(), FirstName: Text, LastName: Type.String(), Email: Text, AccountId: Text, CreatedDate: Type.String(), LastModifiedDate: Type.String() }),
  Opportunity: Type.Object({ Id: Type.String(), Name: Type.String(), StageName: Type.String(), Amount: Type.Union([Type.Number(), Type.Null()]), CloseDate: Text, CreatedDate: Type.String(), LastModifiedDate: Type.String() }),
};

type SObjectRecord = Record<string, unknown> & { Id: string; LastModifiedDate: string };

/** `2025-01-01T00:00:00.000+0000` → epoch ms. */
const sfMs = (value: string): number => Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));

interface Checkpoint {
  /** Records modified at or after this instant (ms) are still to be read. */
  since?: number;
}

/**
 * SOQL ordered by `LastModifiedDate`, read batch by batch through `nextRecordsUrl`. The
 * checkpoint is the newest modification read, never the query locator (locators expire): a
 * resumed run asks again from there, re-reading at most the records of that instant. An
 * incremental run then asks the deleted-records endpoint what was deleted in the same window.
 */
async function readObjects(ctx: SyncContext, type: SObjectType): Promise<void> {
  const from = (await ctx.checkpoint.get<Checkpoint>())?.since ?? ctx.since?.getTime();
  let newest = from ?? 0;
  const where = from === undefined ? '' : ` WHERE LastModifiedDate >= ${new Date(from).toISOString()}`;
  const started = Date.now();
  const pages = ctx.paginate<SObjectRecord>(
    { path: `${API}/query`, query: { q: `SELECT ${FIELDS[type].join(', ')} FROM ${type}${where} ORDER BY LastModifiedDate, Id` } },
    { type: 'next-url', results: 'records', nextPath: 'nextRecordsUrl' },
  );
  for await (const page of pages) {
    await ctx.batchSave(
      page.items.map(({ attributes: _a, ...fields }) => {
        newest = Math.max(newest, sfMs(fields.LastModifiedDate));
        return { externalId: fields.Id, data: fields, updatedAt: new Date(sfMs(fields.LastModifiedDate)).toISOString() };
      }),
    );
    await ctx.checkpoint.save({ since: newest } satisfies Checkpoint);
  }
  if (!ctx.full && from !== undefined) {
    const { body } = expectOk(
      await ctx.http.request<{ deletedRecords: { id: string }[] }>({
        path: `${API}/sobjects/${type}/deleted/`,
        // The endpoint keeps 15 to 30 days of deletions; an older start is refused.
        query: { start: new Date(Math.max(from, started - 14 * 86_400_000)).toISOString(), end: new Date(started).toISOString() },
      }),
    );
    await ctx.batchDelete(body.deletedRecords.map((d) => d.id));
    await ctx.checkpoint.save({ since: newest } satisfies Checkpoint);
  }
}

function sobjectSync(type: SObjectType): SyncDefinition {
  return {
    model: type,
    description: `Salesforce ${type} records`,
    schema: SCHEMAS[type],
    frequency: 'hourly',
    dataStrategy: 'events',
    exec: (ctx) => readObjects(ctx, type),
    async update(ctx, change) {
      expectOk(await ctx.http.request({ method: 'PATCH', path: `${API}/sobjects/${type}/${encodeURIComponent(change.externalId)}`, body: change.changes }));
    },
  };
}

export default defineConnector({
  key: 'salesforce',
  name: 'Salesforce',
  description: 'Accounts, contacts, leads and opportunities from a Salesforce org (production or sandbox), connected with OAuth.',
  category: 'crm',
  icon: monogramIcon('Sf', '#00a1e0'),
  capabilities: ['proxy', 'records'],
  connectionMode: 'oauth',
  connectionConfig: {
    hostname: {
      label: 'Login host',
      help: 'login.salesforce.com for production orgs, test.salesforce.com for sandboxes, or your My Domain host (yourcompany.my.salesforce.com).',
      placeholder: 'login.salesforce.com',
      format: 'hostname',
      pattern: '(login|test)\\.salesforce\\.com|[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.my\\.salesforce\\.com',
      patternHint: 'must be login.salesforce.com, test.salesforce.com or a *.my.salesforce.com host',
      required: false,
      default: 'login.salesforce.com',
    },
  },
  auth: {
    authorizationUrl: 'https://{hostname}/services/oauth2/authorize',
    tokenUrl: 'https://{hostname}/services/oauth2/token',
    revocationUrl: 'https://{hostname}/services/oauth2/revoke',
    scopes: ['api', 'refresh_token'],
    tokenResponseFields: ['instance_url', 'id'],
    tokenEndpointAuthMethod: 'client_secret_post',
  },
  // Every org is served from its own host, given at authorization time.
  baseUrls: { production: '{instance_url}' },
  // The org-wide allowance is per 24 hours and depends on edition and licences; 100,000 is the usual floor.
  rateLimit: '100000/day',
  uiEmbeds: [{ surface: 'dashboard', placement: 'card', title: 'Salesforce pipeline' }],
  docsUrl: 'https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/',
  syncs: [sobjectSync('Account'), sobjectSync('Contact'), sobjectSync('Opportunity')],

  async testConnection(ctx) {
    const response = await ctx.http.request<OrganizationQuery | SalesforceErrors>({
      path: `${API}/query`,
      query: { q: 'SELECT Id, Name, OrganizationType, IsSandbox FROM Organization' },
    });
    // Salesforce reports a spent API allowance as 403 REQUEST_LIMIT_EXCEEDED.
    const errors = Array.isArray(response.body) ? response.body : [];
    if (response.status === 403 && errors[0]?.errorCode === 'REQUEST_LIMIT_EXCEEDED') {
      throw new ProviderFailureError('rate_limited', errors[0].message, { response });
    }
    const org = (expectOk(response).body as OrganizationQuery).records[0];
    if (!org) throw new ProviderFailureError('unexpected_response', 'the Organization query returned no row');
    return connected({ id: org.Id, name: org.Name, edition: org.OrganizationType, sandbox: org.IsSandbox ?? null });
  },
});
