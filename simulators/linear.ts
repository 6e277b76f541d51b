/**
 * Linear GraphQL API simulator, from https://linear.app/developers/graphql: one endpoint,
 * `/graphql`, taking `{ query, variables }` by POST (and a query by GET, as GraphQL over HTTP
 * allows). It answers the operations the connector sends, chosen by their root fields (`viewer`,
 * `organization`, `issues`, `users`), with Relay connections (`first` ≤ 250, `after`,
 * `pageInfo { hasNextPage endCursor }`; https://linear.app/developers/pagination) and the filters
 * it uses (`updatedAt: { gte }`, `id: { eq }`, `email: { eqIgnoreCase }`;
 * https://linear.app/developers/filtering). Any other root field is a validation error.
 * - Personal API keys as `Authorization: <key>`, OAuth tokens as `Bearer <token>`; a bad key is
 *   a 401 with `errors[].extensions.code: "AUTHENTICATION_ERROR"`.
 * - Rate limits (https://linear.app/developers/rate-limiting): `X-RateLimit-Requests-Limit`,
 *   `-Remaining`, `-Reset`; a spent allowance is answered with `extensions.code: "RATELIMITED"`.
 * - Webhooks (https://linear.app/developers/webhooks): `Linear-Signature` (hex HMAC-SHA256 of the
 *   body), `Linear-Delivery` (a UUID), `Linear-Event` (the entity type).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply, SimRequest } from './support/server.ts';

const KEY = 'lin_api_PatchbaySimulatorKey00000000000001';
const ORG = { id: '5c7e1a52-0000-4000-8000-00000000a001', name: 'Patchbay Sim', urlKey: 'patchbay-sim' };

interface Issue extends Record<string, unknown> {
  id: string;
  updatedAt: string;
}
interface User extends Record<string, unknown> {
  id: string;
  email: string;
}

const CODES: Record<ErrorKind, [string, string]> = {
  unauthorized: ['AUTHENTICATION_ERROR', 'Authentication required, not authenticated'],
  forbidden: ['FORBIDDEN', 'You do not have access to this resource'],
  not_found: ['ENTITY_NOT_FOUND', 'Entity not found'],
  rate_limited: ['RATELIMITED', 'Rate limit exceeded'],
  server_error: ['INTERNAL_SERVER_ERROR', 'Internal server error'],
  bad_request: ['GRAPHQL_VALIDATION_FAILED', 'Invalid query'],
};

const graphqlError = (status: number, code: string, message: string): SimReply => ({ status, body: { errors: [{ message, extensions: { code, userPresentableMessage: message } }], data: null } });

/** The root fields of an operation's selection set: `query X($a: T) { viewer { id } issues(…) { … } }` → viewer, issues. */
export function rootFields(query: string): string[] {
  const open = query.indexOf('{');
  if (open < 0) return [];
  const fields: string[] = [];
  let depth = 0;
  let parens = 0;
  for (let i = open + 1; i < query.length; i++) {
    const c = query[i]!;
    if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (parens > 0) continue;
    else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && /[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_]\w*/.exec(query.slice(i))![0];
      fields.push(name);
      i += name.length - 1;
    }
  }
  return fields;
}

function connection<T>(items: readonly T[], id: (item: T) => string, variables: Record<string, unknown>): { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } {
  const first = Math.min(250, Math.max(1, Number(variables.first ?? 50) || 50));
  const after = typeof variables.after === 'string' ? variables.after : undefined;
  const start = after ? items.findIndex((item) => id(item) === Buffer.from(after, 'base64url').toString('utf8')) + 1 : 0;
  const nodes = items.slice(start, start + first);
  return { nodes, pageInfo: { hasNextPage: start + first < items.length, endCursor: nodes.length ? Buffer.from(id(nodes.at(-1)!)).toString('base64url') : null } };
}

function operation(req: SimRequest): { query: string; variables: Record<string, unknown> } | undefined {
  if (req.method === 'GET') return { query: req.query.get('query') ?? '', variables: JSON.parse(req.query.get('variables') ?? '{}') as Record<string, unknown> };
  try {
    const body = JSON.parse(req.rawBody) as { query?: unknown; variables?: unknown };
    return typeof body.query === 'string' ? { query: body.query, variables: (body.variables ?? {}) as Record<string, unknown> } : undefined;
  } catch {
    return undefined;
  }
}

export default defineSimulator({
  key: 'linear',
  // Keys as they are; OAuth access tokens with a Bearer scheme.
  credential: (req) => {
    const value = req.headers.authorization;
    return typeof value === 'string' && value ? value.replace(/^Bearer\s+/i, '') : undefined;
  },
  accepts: [KEY],
  sample: { credentials: { apiKey: KEY } },
  error: (kind, status) => {
    const [code, message] = CODES[kind];
    const reply = graphqlError(status, code, message);
    if (kind === 'rate_limited') reply.headers = { 'x-ratelimit-requests-limit': '5000', 'x-ratelimit-requests-remaining': '0', 'x-ratelimit-requests-reset': String(Date.now() + 1000) };
    return reply;
  },
  rateLimit: '5000/hour',
  rateLimitHeaders: (w) => ({ 'x-ratelimit-requests-limit': String(w.limit), 'x-ratelimit-requests-remaining': String(w.remaining), 'x-ratelimit-requests-reset': String(Date.now() + w.resetMs) }),
  data: (options) => ({
    issues: fixtures<Issue>(options, 'issues', 120, (i, at) => ({
      id: `9a1e0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      identifier: `PAT-${i}`,
      title: `Issue ${i}: make the sync resumable`,
      priority: i % 5,
      url: `https://linear.app/patchbay-sim/issue/PAT-${i}`,
      createdAt: String(at),
      updatedAt: String(at),
      state: { name: ['Backlog', 'Todo', 'In Progress', 'Done'][i % 4] },
      team: { key: 'PAT' },
      assignee: i % 3 === 0 ? null : { email: `user${i % 20}@patchbay-sim.example` },
    }), { updated: 'updatedAt' }),
    users: fixtures<User>(options, 'users', 20, (i, at) => ({
      id: `7b2f0000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: `User ${i}`,
      email: `user${i}@patchbay-sim.example`,
      active: i % 9 !== 0,
      updatedAt: String(at),
    }), { updated: 'updatedAt' }),
  }),
  routes: ({ issues, users }) => {
    const handle = (req: SimRequest): SimReply => {
      const op = operation(req);
      if (!op) return graphqlError(400, 'GRAPHQL_PARSE_FAILED', 'Must provide query string.');
      const data: Record<string, unknown> = {};
      const v = op.variables;
      for (const field of rootFields(op.query)) {
        if (field === 'viewer') data.viewer = { id: 'viewer-0001', name: 'Patchbay Sim', email: 'owner@patchbay-sim.example', active: true };
        else if (field === 'organization') data.organization = ORG;
        else if (field === 'issues') {
          const since = (v.filter as { updatedAt?: { gte?: string } } | null | undefined)?.updatedAt?.gte;
          const all = issues.all().filter((i) => !since || i.updatedAt >= since).slice().reverse();
          data.issues = connection(all, (i) => i.id, v);
        } else if (field === 'users') {
          const all = users.all().filter((u) => (v.id === undefined || u.id === v.id) && (v.email === undefined || u.email.toLowerCase() === String(v.email).toLowerCase()));
          data.users = connection(all, (u) => u.id, v);
        } else return graphqlError(400, 'GRAPHQL_VALIDATION_FAILED', `Cannot query field "${field}" on type "Query".`);
      }
      return { body: { data } };
    };
    return [
      { method: 'POST', path: '/graphql', handle },
      { method: 'GET', path: '/graphql', handle },
    ];
  },
  webhooks: {
    signer: (secret, w) => ({
      method: 'POST',
      url: w.url,
      headers: { 'content-type': 'application/json', 'linear-signature': createHmac('sha256', secret).update(w.body).digest('hex'), 'linear-delivery': w.id ?? randomUUID(), 'linear-event': 'Issue', ...w.headers },
      body: w.body,
    }),
  },
  profile: {
    proxyPath: '/graphql?query=%7B%20viewer%20%7B%20id%20%7D%20%7D',
    records: { issues: { dataset: 'issues', count: 301 } },
    webhook: {
      secret: 'lin_wh_PatchbaySimSigningSecret0001',
      body: '{"action":"create","type":"Issue","createdAt":"2025-01-01T00:00:00.000Z","organizationId":"5c7e1a52-0000-4000-8000-00000000a001","url":"https://linear.app/patchbay-sim/issue/PAT-7","data":{"id":"9a1e0000-0000-4000-8000-000000000007","identifier":"PAT-7"},"webhookTimestamp":1735689600000,"webhookId":"wh-sim-0001"}',
    },
    user: { email: 'user7@patchbay-sim.example' },
  },
});
