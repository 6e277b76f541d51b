/**
 * Discord: a bot in a Discord server, through the HTTP API with its bot token, and the
 * application's interactions (slash commands, buttons) received at an interactions endpoint.
 * API reference: https://discord.com/developers/docs/reference (base `https://discord.com/api/v10`,
 * `Authorization: Bot <token>`, errors `{ message, code }`, rate limits with `Retry-After` and
 * `retry_after`); Get Current User (`GET /users/@me`):
 * https://discord.com/developers/docs/resources/user#get-current-user. Interactions
 * (`X-Signature-Ed25519` over timestamp + body with the application's public key, and the PING
 * answered with `{ "type": 1 }`):
 * https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint
 */
import { createPublicKey, verify } from 'node:crypto';
import { connected, defineConnector, expectOk, bodyField, jsonField, monogramIcon, parseJsonBody, refused, verified, withinTolerance } from '../sdk.ts';

/** Ed25519 over `timestamp + body` with a hex public key (Discord's application public key). */
function ed25519Ok(publicKeyHex: string, content: Buffer, signatureHex: string): boolean {
  try {
    if (!/^[0-9a-f]{64}$/i.test(publicKeyHex) || !/^[0-9a-f]{128}$/i.test(signatureHex)) return false;
    const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
    return verify(null, content, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}

const INTERACTION_TYPES: Record<string, string> = { '1': 'ping', '2': 'application_command', '3': 'message_component', '4': 'autocomplete', '5': 'modal_submit' };

export default defineConnector({
  key: 'discord',
  name: 'Discord',
  description: 'A bot in Discord servers — messages and channels through the HTTP API with its bot token — and the application’s interactions (slash commands, buttons) verified by their Ed25519 signature.',
  category: 'communication',
  icon: monogramIcon('Dc', '#5865f2'),
  capabilities: ['proxy', 'webhooks'],
  connectionMode: 'apiKey',
  auth: {
    fields: {
      botToken: { label: 'Bot token', help: 'Developer portal → your application → Bot → Reset token.', pattern: '[A-Za-z0-9_.-]{50,100}', patternHint: 'is the bot’s token (three dot-separated parts)', secret: true },
    },
    inject: { in: 'header', name: 'Authorization', format: 'Bot {botToken}' },
  },
  baseUrls: { production: 'https://discord.com/api/v10' },
  // The global limit for a bot: 50 requests a second.
  rateLimit: '50/second',
  uiEmbeds: [{ surface: 'connection', placement: 'tab', title: 'Interactions' }],
  docsUrl: 'https://discord.com/developers/docs/reference',

  async testConnection(ctx) {
    const { body } = expectOk(await ctx.http.request<{ id: string; username: string; bot?: boolean }>({ path: '/users/@me' }));
    return connected({ id: body.id, name: body.username, bot: body.bot ?? false });
  },

  // The source's secret is the application's public key (hex), shown in the developer portal.
  webhooks: {
    verify(request, secrets, { toleranceSeconds }) {
      const signature = request.headers['x-signature-ed25519'];
      const timestamp = request.headers['x-signature-timestamp'];
      if (!signature || !timestamp) return refused('the X-Signature-Ed25519 and X-Signature-Timestamp headers are required');
      const stale = withinTolerance(timestamp, request.receivedAt, toleranceSeconds);
      if (stale) return refused(stale);
      const content = Buffer.concat([Buffer.from(timestamp), request.rawBody]);
      return secrets.some((key) => ed25519Ok(key.trim(), content, signature)) ? verified : refused('the signature does not match the public key');
    },
    handshake(request) {
      if (bodyField(request, 'type') !== '1') return undefined;
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"type":1}' };
    },
    eventId: (request) => bodyField(request, 'id'),
    route(request) {
      const payload = parseJsonBody(request);
      const type = INTERACTION_TYPES[jsonField(payload, 'type') ?? ''] ?? 'unknown';
      const name = jsonField(payload, 'data.name');
      return { eventType: name ? `interaction.${type}.${name}` : `interaction.${type}`, externalAccountId: jsonField(payload, 'guild_id'), payload };
    },
  },
});
