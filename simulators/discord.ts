/**
 * Discord HTTP API simulator, from https://discord.com/developers/docs/reference:
 * - `Authorization: Bot <token>`; errors `{ message, code }` (401 `401: Unauthorized`, 403
 *   `Missing Access` 50001, 404 `Unknown …`); 429 `{ message: "You are being rate limited.",
 *   retry_after, global }` with `Retry-After` and `X-RateLimit-*`;
 * - `GET /users/@me` (the bot user).
 * - Interactions: POSTs signed with the application's Ed25519 key over timestamp + body
 *   (`X-Signature-Ed25519` hex, `X-Signature-Timestamp`); the public key is shown as 64 hex
 *   characters. Signed with another key the signature cannot verify.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { auth, defineSimulator } from './support/kit.ts';
import type { ErrorKind } from './support/server.ts';

const TOKEN = 'MTE5NjgzNzM0OTY3NTM5NzI0OA.GsimPB.patchbaysimulatorbottoken00000000000001';
const ERRORS: Record<ErrorKind, [string, number]> = {
  unauthorized: ['401: Unauthorized', 0],
  forbidden: ['Missing Access', 50001],
  not_found: ['404: Not Found', 0],
  rate_limited: ['You are being rate limited.', 0],
  server_error: ['500: Internal Server Error', 0],
  bad_request: ['Invalid Form Body', 50035],
};

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
/** The application's public key as the developer portal shows it: the raw 32 bytes in hex. */
export const DISCORD_PUBLIC_KEY = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');

export default defineSimulator({
  key: 'discord',
  credential: auth.bearer('Bot'),
  accepts: [TOKEN],
  sample: { credentials: { botToken: TOKEN } },
  error: (kind, status) =>
    kind === 'rate_limited'
      ? { status, headers: { 'x-ratelimit-global': 'false', 'x-ratelimit-scope': 'user' }, body: { message: ERRORS[kind][0], retry_after: 1.5, global: false } }
      : { status, body: { message: ERRORS[kind][0], code: ERRORS[kind][1] } },
  rateLimit: '50/second',
  routes: () => [{ method: 'GET', path: '/users/@me', handle: () => ({ body: { id: '1196837349675397248', username: 'patchbay-sim-bot', discriminator: '0', bot: true, verified: true } }) }],
  webhooks: {
    signer: (secret, w) => {
      const timestamp = String(Math.floor((w.at ?? Date.now()) / 1000));
      const key = secret === DISCORD_PUBLIC_KEY ? privateKey : generateKeyPairSync('ed25519').privateKey;
      return {
        method: 'POST',
        url: w.url,
        headers: { 'content-type': 'application/json', 'x-signature-ed25519': sign(null, Buffer.from(timestamp + w.body), key).toString('hex'), 'x-signature-timestamp': timestamp, ...w.headers },
        body: w.body,
      };
    },
  },
  profile: {
    proxyPath: '/users/@me',
    webhook: { secret: DISCORD_PUBLIC_KEY, body: '{"id":"1200000000000000001","application_id":"1196837349675397248","type":2,"guild_id":"1100000000000000001","data":{"id":"1","name":"status","type":1},"token":"sim-interaction-token","version":1}' },
  },
});
