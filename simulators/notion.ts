/**
 * Notion API simulator, from https://developers.notion.com/reference/intro:
 * - `Authorization: Bearer <integration token>`, `Notion-Version`; errors
 *   `{ object: "error", status, code, message }` (401 `unauthorized`, 404 `object_not_found`, 429
 *   `rate_limited` with `Retry-After`, 500 `internal_server_error`, 503 `service_unavailable`);
 * - `GET /v1/users/me` → the bot user with its workspace name;
 * - `POST /v1/search` with `filter`, `sort: { timestamp: "last_edited_time", direction }`,
 *   `start_cursor`, `page_size` (default and most 100) → `{ object: "list", results, next_cursor,
 *   has_more, type: "page_or_database" }`; edit times rounded to the minute, as Notion's are;
 * - webhooks signed `X-Notion-Signature: sha256=<hex HMAC-SHA256 of the body>` with the
 *   verification token (https://developers.notion.com/reference/webhooks).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const TOKEN = 'ntn_patchbaySimulatorIntegrationToken0001';
const CODES: Record<ErrorKind, [string, string]> = {
  unauthorized: ['unauthorized', 'API token is invalid.'],
  forbidden: ['restricted_resource', 'API token does not have access to this resource.'],
  not_found: ['object_not_found', 'Could not find object.'],
  rate_limited: ['rate_limited', 'You have been rate limited. Please try again in a few minutes.'],
  server_error: ['internal_server_error', 'Unexpected error occurred.'],
  bad_request: ['validation_error', 'body failed validation.'],
};
const toMinute = (iso: string) => `${iso.slice(0, 16)}:00.000Z`;
const pageId = (i: number) => `${String(i).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;

interface Page extends Record<string, unknown> {
  id: string;
  last_edited_time: string;
}

export default defineSimulator({
  key: 'notion',
  credential: auth.bearer(),
  accepts: [TOKEN],
  sample: { credentials: { token: TOKEN } },
  error: (kind, status) => {
    const [code, message] = status === 503 ? ['service_unavailable', 'Notion is unavailable, please try again later.'] : CODES[kind];
    return { status, body: { object: 'error', status, code, message, request_id: randomUUID() } };
  },
  rateLimit: '3/second',
  data: (options) => ({
    pages: fixtures<Page>(options, 'pages', 120, (i, at) => ({
      object: 'page',
      id: pageId(i),
      created_time: toMinute(String(at)),
      last_edited_time: String(at),
      archived: false,
      in_trash: false,
      parent: i % 3 === 0 ? { type: 'workspace', workspace: true } : { type: 'database_id', database_id: pageId(900_000 + (i % 3)) },
      properties: { title: { id: 'title', type: 'title', title: [{ type: 'text', plain_text: `Runbook ${i}` }] } },
      url: `https://www.notion.so/Runbook-${i}-${pageId(i).replaceAll('-', '')}`,
    }), { updated: 'last_edited_time' }),
  }),
  routes: ({ pages }) => [
    { method: 'GET', path: '/v1/users/me', handle: () => ({ body: { object: 'user', id: '9a3b5ae0-c6e6-482d-b0e1-ed315ee6dc57', name: 'Patchbay', type: 'bot', bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Patchbay Sim' } } }) },
    {
      method: 'POST',
      path: '/v1/search',
      handle: (req) => {
        let input: { page_size?: number; start_cursor?: string; sort?: { direction?: string } } = {};
        try {
          input = req.rawBody ? (JSON.parse(req.rawBody) as typeof input) : {};
        } catch {
          return { status: 400, body: { object: 'error', status: 400, code: 'invalid_json', message: 'Error parsing JSON body.' } };
        }
        const size = Math.min(100, Math.max(1, Number(input.page_size) || 100));
        const all = input.sort?.direction === 'ascending' ? [...pages.all()] : [...pages.all()].reverse();
        const start = input.start_cursor ? all.findIndex((p) => p.id === input.start_cursor) : 0;
        const slice = start < 0 ? [] : all.slice(start, start + size);
        const next = start >= 0 && start + size < all.length ? all[start + size]!.id : null;
        return { body: { object: 'list', results: slice.map((p) => ({ ...p, last_edited_time: toMinute(p.last_edited_time) })), next_cursor: next, has_more: next !== null, type: 'page_or_database', page_or_database: {} } };
      },
    },
  ],
  webhooks: {
    signer: (secret, w) => ({ method: 'POST', url: w.url, headers: { 'content-type': 'application/json', 'x-notion-signature': `sha256=${createHmac('sha256', secret).update(w.body).digest('hex')}`, ...w.headers }, body: w.body }),
  },
  profile: {
    proxyPath: '/v1/users/me',
    // 100 a page.
    records: { pages: { dataset: 'pages', count: 301 } },
    webhook: {
      secret: 'secret_patchbaySimVerificationToken0001',
      body: '{"id":"367cba44-b6f3-4c92-81e7-6a2e9659efd4","timestamp":"2025-01-01T00:00:00.000Z","workspace_id":"13950b26-c203-4f3b-b97d-93ec06319565","workspace_name":"Patchbay Sim","subscription_id":"29d75c0d-5546-4414-8459-7b7a92f1fc4b","integration_id":"0ef2e755-4912-8096-91c1-00376a88a5ca","type":"page.content_updated","authors":[{"id":"c7c11cca-1d73-471d-9b6e-bdef51470190","type":"person"}],"attempt_number":1,"entity":{"id":"00000007-0000-4000-8000-000000000007","type":"page"},"data":{"updated_blocks":[]}}',
    },
  },
});
