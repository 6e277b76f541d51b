/**
 * Twilio REST API simulator, from https://www.twilio.com/docs/usage/api:
 * - HTTP basic with an API key SID and secret, or the account SID and auth token
 *   (https://www.twilio.com/docs/iam/api-keys); errors `{ code, message, more_info, status }`
 *   (20003 Authenticate, 20404, 20429 Too Many Requests, 20500, 20503):
 *   https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions;
 * - `GET /2010-04-01/Accounts/{AccountSid}.json`;
 * - `GET /2010-04-01/Accounts/{AccountSid}/Messages.json?PageSize(default 50, ≤ 1000)&DateSent>=YYYY-MM-DD`,
 *   newest first, `{ messages, page, page_size, uri, first_page_uri, next_page_uri, previous_page_uri, start, end }`,
 *   `next_page_uri` carrying a `PageToken`, null on the last page; dates in RFC 2822
 *   (https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources);
 * - webhooks signed `X-Twilio-Signature` (simulators/webhooks/signers.ts).
 */
import { auth, defineSimulator, fixtures } from './support/kit.ts';
import type { ErrorKind, SimReply } from './support/server.ts';
import { SIGNERS } from './webhooks/signers.ts';
import { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = SAMPLE_WEBHOOK_SECRETS.twilio!;
const KEY_SID = 'SK0123456789abcdef0123456789abcdef';
const KEY_SECRET = 'patchbaySimulatorApiKeySecret001';

const ERRORS: Record<ErrorKind, [number, string]> = {
  unauthorized: [20003, 'Authenticate'],
  forbidden: [20403, 'Forbidden'],
  not_found: [20404, 'The requested resource was not found'],
  rate_limited: [20429, 'Too Many Requests'],
  server_error: [20500, 'Internal Server Error'],
  bad_request: [21608, 'Invalid parameter'],
};
const error = (kind: ErrorKind, status: number): SimReply => {
  const [code, message] = ERRORS[kind];
  return { status, body: { code: status === 503 ? 20503 : code, message: status === 503 ? 'Service Unavailable' : message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
};
const rfc2822 = (iso: string) => new Date(iso).toUTCString().replace('GMT', '+0000');

interface Message extends Record<string, unknown> {
  sid: string;
  sent: string;
}

export default defineSimulator({
  key: 'twilio',
  credential: auth.basic(),
  accepts: [`${KEY_SID}:${KEY_SECRET}`, `${ACCOUNT_SID}:${AUTH_TOKEN}`],
  sample: { credentials: { username: KEY_SID, password: KEY_SECRET }, connectionConfig: { accountSid: ACCOUNT_SID } },
  error: (kind, status) => error(kind, status),
  data: (options) => ({
    messages: fixtures<Message>(options, 'messages', 150, (i, at) => ({
      sid: `SM${i.toString(16).padStart(32, '0')}`,
      sent: String(at),
      direction: i % 3 === 0 ? 'inbound' : 'outbound-api',
      status: i % 3 === 0 ? 'received' : i % 19 === 0 ? 'failed' : 'delivered',
      from: '+15005550006',
      to: `+1555${String(1_000_000 + i).slice(-7)}`,
      body: `Your code is ${100_000 + i}`,
      num_segments: '1',
      price: '-0.00790',
      price_unit: 'USD',
      error_code: i % 19 === 0 ? 30003 : null,
    }), { id: 'sid', updated: 'sent' }),
  }),
  routes: ({ messages }) => {
    const account = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
    return [
      {
        method: 'GET',
        // `…/Accounts/AC….json`: the router's parameters are whole segments.
        path: '/2010-04-01/Accounts/:file',
        handle: (req) =>
          req.params.file === `${ACCOUNT_SID}.json`
            ? { body: { sid: ACCOUNT_SID, friendly_name: 'Patchbay Sim', status: 'active', type: 'Full', owner_account_sid: ACCOUNT_SID, date_created: rfc2822('2020-01-01T00:00:00Z'), uri: `${account}.json` } }
            : error('not_found', 404),
      },
      {
        method: 'GET',
        path: '/2010-04-01/Accounts/:sid/Messages.json',
        handle: (req) => {
          if (req.params.sid !== ACCOUNT_SID) return error('not_found', 404);
          const pageSize = Math.min(1000, Math.max(1, Number(req.query.get('PageSize')) || 50));
          const since = req.query.get('DateSent>');
          const all = messages
            .all()
            .filter((m) => !since || m.sent.slice(0, 10) >= since)
            .slice()
            .reverse();
          const start = Number(Buffer.from((req.query.get('PageToken') ?? '').replace(/^PASM/, ''), 'base64url').toString('utf8')) || 0;
          const pageNumber = Number(req.query.get('Page')) || 0;
          const items = all.slice(start, start + pageSize);
          const uri = (page: number, from: number) => {
            const query = new URLSearchParams({ PageSize: String(pageSize), Page: String(page), ...(since ? { 'DateSent>': since } : {}) });
            if (from > 0) query.set('PageToken', `PASM${Buffer.from(String(from)).toString('base64url')}`);
            return `${account}/Messages.json?${query.toString()}`;
          };
          return {
            body: {
              messages: items.map(({ sent, ...m }) => ({
                ...m,
                account_sid: ACCOUNT_SID,
                api_version: '2010-04-01',
                date_created: rfc2822(sent),
                date_sent: rfc2822(sent),
                date_updated: rfc2822(sent),
                uri: `${account}/Messages/${m.sid}.json`,
              })),
              page: pageNumber,
              page_size: pageSize,
              start,
              end: start + Math.max(0, items.length - 1),
              uri: uri(pageNumber, start),
              first_page_uri: uri(0, 0),
              previous_page_uri: pageNumber > 0 ? uri(pageNumber - 1, Math.max(0, start - pageSize)) : null,
              next_page_uri: start + pageSize < all.length ? uri(pageNumber + 1, start + pageSize) : null,
            },
          };
        },
      },
    ];
  },
  webhooks: { signer: SIGNERS.twilio! },
  profile: {
    proxyPath: `/2010-04-01/Accounts/${ACCOUNT_SID}.json`,
    // 1,000 a page.
    records: { messages: { dataset: 'messages', count: 2_501 } },
    webhook: { secret: AUTH_TOKEN, body: 'AccountSid=AC0123456789abcdef0123456789abcdef&MessageSid=SM1&MessageStatus=delivered&To=%2B15551234567' },
  },
});
