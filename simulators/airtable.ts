/**
 * Airtable Web API simulator, from https://airtable.com/developers/web/api/introduction:
 * - `Authorization: Bearer <personal access token>`; errors `{ error: { type, message } }`
 *   (401 `AUTHENTICATION_REQUIRED`, 403 `INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND`, 404 `NOT_FOUND`,
 *   429 `RATE_LIMIT_REACHED`, 5xx `SERVER_ERROR`/`SERVICE_UNAVAILABLE`);
 * - `GET /v0/meta/whoami` → `{ id, scopes, email }`;
 * - `GET /v0/{baseId}/{table}?pageSize(≤100)&offset` → `{ records: [{ id, createdTime, fields }], offset }`;
 * - `GET /v0/bases/{baseId}/webhooks/{webhookId}/payloads?cursor` → `{ payloads, cursor, mightHaveMore }`;
 * - notifications signed `X-Airtable-Content-MAC: hmac-sha256=<hex>` with the decoded
 *   `macSecretBase64` (https://airtable.com/developers/web/api/webhooks-overview).
 */
import { createHmac } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';

const TOKEN = 'patPatchbaySimTok.0123456789abcdef0123456789abcdef0123456789abcdef';
const BASE_ID = 'appPatchbaySim001';
const TABLE = 'Customers';
const TYPES: Record<ErrorKind, [string, string]> = {
  unauthorized: ['AUTHENTICATION_REQUIRED', 'Authentication required'],
  forbidden: ['INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND', 'Invalid permissions, or the requested model was not found.'],
  not_found: ['NOT_FOUND', 'Could not find what you are looking for'],
  rate_limited: ['RATE_LIMIT_REACHED', 'Rate limit exceeded. Please try again later'],
  server_error: ['SERVER_ERROR', 'Try again. If the problem persists, contact support.'],
  bad_request: ['INVALID_REQUEST_UNKNOWN', 'Invalid request: parameter validation failed.'],
};
const error = (kind: ErrorKind, status: number): SimReply => ({ status, body: { error: { type: status === 503 ? 'SERVICE_UNAVAILABLE' : TYPES[kind][0], message: TYPES[kind][1] } } });

/** The key Airtable signs with: the decoded `macSecretBase64` (a secret that is not base64 is a different key). */
function macKey(secret: string): Buffer {
  const decoded = Buffer.from(secret, 'base64');
  return decoded.toString('base64') === secret ? decoded : Buffer.from(secret, 'utf8');
}

interface AirtableRecord extends Record<string, unknown> {
  id: string;
  createdTime: string;
}

export default defineSimulator({
  key: 'airtable',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { token: TOKEN }, connectionConfig: { baseId: BASE_ID, table: TABLE } },
  error: (kind, status) => error(kind, status),
  rateLimit: '5/second',
  data: (options) => ({
    records: fixtures<AirtableRecord>(options, 'records', 120, (i, at) => ({
      id: `rec${String(i).padStart(14, '0')}`,
      createdTime: String(at),
      fields: { Name: `Customer ${i}`, Email: `customer${i}@patchbay-sim.example`, Seats: 1 + (i % 20), Active: i % 9 !== 0 },
    }), { updated: 'createdTime' }),
  }),
  routes: ({ records }) => [
    { method: 'GET', path: '/v0/meta/whoami', handle: () => ({ body: { id: 'usrPatchbaySim001', scopes: ['data.records:read', 'webhook:manage'], email: 'sim@patchbay-sim.example' } }) },
    {
      method: 'GET',
      path: '/v0/bases/:baseId/webhooks/:webhookId/payloads',
      handle: (req) => (req.params.baseId === BASE_ID ? { body: { payloads: [], cursor: Number(req.query.get('cursor')) || 1, mightHaveMore: false } } : error('not_found', 404)),
    },
    {
      method: 'GET',
      path: '/v0/:baseId/:table',
      handle: (req) => {
        if (req.params.baseId !== BASE_ID || ![TABLE, 'tblPatchbaySim001'].includes(req.params.table!)) return error('not_found', 404);
        const size = Math.min(100, Math.max(1, Number(req.query.get('pageSize')) || 100));
        const ids = records.ids();
        const after = /^itr[A-Za-z0-9]+\/(rec[0-9]+)$/.exec(req.query.get('offset') ?? '')?.[1];
        if (req.query.get('offset') && !after) return { status: 422, body: { error: { type: 'LIST_RECORDS_ITERATOR_NOT_AVAILABLE', message: 'The offset is not valid.' } } };
        const start = after ? ids.findIndex((id) => id > after) : 0;
        const page = start < 0 ? [] : ids.slice(start, start + size);
        const more = start >= 0 && start + size < ids.length;
        return { body: { records: page.map((id) => records.get(id)), ...(more ? { offset: `itrPatchbaySim/${page.at(-1)}` } : {}) } };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => ({
      method: 'POST',
      url: w.url,
      headers: { 'content-type': 'application/json', 'x-airtable-content-mac': `hmac-sha256=${createHmac('sha256', macKey(secret)).update(w.body).digest('hex')}`, ...w.headers },
      body: w.body,
    }),
  },
  profile: {
    proxyPath: '/v0/meta/whoami',
    // 100 a page.
    records: { records: { dataset: 'records', count: 301 } },
    webhook: { secret: Buffer.from('patchbay-airtable-sim-mac-secret').toString('base64'), body: `{"base":{"id":"${BASE_ID}"},"webhook":{"id":"achPatchbaySim001"},"timestamp":"2025-01-01T00:00:00.000Z"}` },
  },
});
