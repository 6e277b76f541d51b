/**
 * Email over SMTP: sends mail through the customer's own SMTP server (a relay, Amazon SES, Postmark,
 * Microsoft 365…) with nodemailer. References: SMTP (RFC 5321) and its reply codes (535 = bad
 * credentials, RFC 4954 §6; 4xx = try later, 5xx = refused), STARTTLS (RFC 3207), implicit TLS on
 * 465 (RFC 8314), nodemailer's SMTP transport and `verify()` (https://nodemailer.com/smtp/).
 *
 * `testConnection` signs in (EHLO, STARTTLS, AUTH) without sending; the `send` action sends one
 * message. The host passes the SSRF guard as a hostname field when the connection is made.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { Type } from 'typebox';
import type { ActionDefinition } from '../extensions.ts';
import { classifyNetworkError, connected, defineConnector, monogramIcon, ProviderFailureError, ProviderRequestError, type ConnectorContext } from '../sdk.ts';

const TIMEOUT_MS = 10_000;
const ADDRESS = '[^\\s@<>,;"]+@[^\\s@<>,;"]+';
const Address = Type.String({ pattern: `^${ADDRESS}$`, maxLength: 320 });
const Addresses = Type.Union([Address, Type.Array(Address, { minItems: 1, maxItems: 50 })]);

type Ctx = Pick<ConnectorContext, 'config' | 'credentials'>;

function transportOf(ctx: Ctx): Transporter<SMTPTransport.SentMessageInfo> {
  const { host, port, tls } = ctx.config;
  const secure = tls === 'tls';
  return nodemailer.createTransport({
    host,
    port: Number(port || (secure ? 465 : 587)),
    secure,
    // `starttls` insists on it: the password never crosses in clear because a server stopped offering it.
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'none',
    auth: { user: ctx.credentials.username ?? '', pass: ctx.credentials.password ?? '' },
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS * 2,
    logger: false,
    debug: false,
  });
}

/** An SMTP or socket failure as the shared failure it is (by reply code and error code, not text). */
function smtpFailure(err: unknown, ctx: Ctx): Error {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string };
  const where = `${ctx.config.host}:${ctx.config.port}`;
  const said = (e.response ?? e.message ?? '').slice(0, 300);
  if (e.code === 'EAUTH' || e.responseCode === 535 || e.responseCode === 534 || e.responseCode === 530) {
    return new ProviderFailureError('invalid_credentials', said || 'authentication failed');
  }
  if (typeof e.responseCode === 'number') {
    // 4xx: the server asks to try later; 5xx: it refused this message (a recipient, the sender).
    return new ProviderFailureError(e.responseCode >= 500 ? 'bad_request' : 'provider_error', said);
  }
  if (e.code === 'ETLS') return new ProviderRequestError('tls', `smtp://${where}`, e.message ?? 'TLS failed', { cause: err, host: where });
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return new ProviderFailureError('bad_request', said);
  const text = e.message ?? '';
  const kind =
    e.code === 'ETIMEDOUT' || /timeout/i.test(text)
      ? 'timeout'
      : e.code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(text)
        ? 'dns'
        : /ECONNREFUSED/.test(text)
          ? 'refused'
          : classifyNetworkError(err);
  return new ProviderRequestError(kind, `smtp://${where}`, text, { cause: err, host: where, ...(kind === 'timeout' ? { timeoutMs: TIMEOUT_MS } : {}) });
}

async function withTransport<T>(ctx: Ctx, work: (transport: ReturnType<typeof transportOf>) => Promise<T>): Promise<T> {
  const transport = transportOf(ctx);
  try {
    return await work(transport);
  } catch (err) {
    throw smtpFailure(err, ctx);
  } finally {
    transport.close();
  }
}

const SendInput = Type.Object(
  {
    to: Addresses,
    cc: Type.Optional(Addresses),
    bcc: Type.Optional(Addresses),
    replyTo: Type.Optional(Address),
    // One header line: no line breaks (they would start a header of the caller's choosing).
    subject: Type.String({ minLength: 1, maxLength: 998, pattern: '^[^\\r\\n]*$' }),
    text: Type.Optional(Type.String({ maxLength: 1_000_000 })),
    html: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  },
  { additionalProperties: false },
);

const send: ActionDefinition = {
  description: 'Sends one email from the connection’s sender address: to, cc, bcc, subject, and a text and/or HTML body.',
  input: SendInput,
  async run(ctx, input) {
    if (input.text === undefined && input.html === undefined) throw new ProviderFailureError('bad_request', 'the input of send needs text or html');
    const from = ctx.config.fromName ? { name: ctx.config.fromName, address: ctx.config.from! } : ctx.config.from!;
    const info = await withTransport(ctx, (transport) => transport.sendMail({ ...(input as Record<string, string>), from }));
    return { messageId: info.messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String), response: info.response };
  },
};

export default defineConnector({
  key: 'email',
  name: 'Email (SMTP)',
  description: 'Sends email through your own SMTP server (a relay, Amazon SES, Postmark, Microsoft 365…), with STARTTLS or TLS and SMTP authentication.',
  category: 'communication',
  icon: monogramIcon('@', '#0b6bcb'),
  capabilities: ['actions'],
  connectionMode: 'basic',
  connectionConfig: {
    host: { label: 'SMTP host', format: 'hostname', placeholder: 'smtp.example.com' },
    port: { label: 'Port', help: '587 for STARTTLS (submission), 465 for TLS from the start.', pattern: '\\d{1,5}', patternHint: 'is a port number', required: false, default: '587' },
    tls: {
      label: 'TLS',
      help: 'starttls upgrades the connection and refuses a server that will not; tls starts encrypted (port 465); none is for a relay on the same host or private network only.',
      pattern: 'starttls|tls|none',
      patternHint: 'is starttls, tls or none',
      required: false,
      default: 'starttls',
    },
    from: { label: 'From address', format: 'email', placeholder: 'notifications@example.com' },
    fromName: { label: 'From name', required: false, placeholder: 'Acme', pattern: '[^\\r\\n"<>]{1,100}', patternHint: 'is a name on one line, without quotes or angle brackets' },
  },
  auth: {
    fields: {
      username: { label: 'Username' },
      password: { label: 'Password', secret: true },
    },
  },
  docsUrl: 'https://nodemailer.com/smtp/',
  actions: { send },

  async testConnection(ctx) {
    // EHLO, STARTTLS (or TLS) and AUTH, and nothing sent: a wrong password is refused here (535).
    await withTransport(ctx, (transport) => transport.verify());
    return connected({ name: `${ctx.credentials.username} · ${ctx.config.host}`, host: ctx.config.host, from: ctx.config.from });
  },
});
