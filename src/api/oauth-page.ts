/**
 * The page the browser lands on after connecting an account: what happened, in words, and what to
 * do next. A failure names its cause — declined access, a redirect URI the provider does not
 * know, scopes it refuses, a sign-in link that expired or was used — without a stack trace or a
 * secret, so the end customer (or the developer they send a screenshot to) can act on it.
 */
import type { ConnectFlowError, FlowFailure, FlowFacts } from '../connections/index.ts';

export interface PageContext {
  /** `${PUBLIC_URL}/oauth/callback`, the redirect URI to register. */
  callbackUrl: string;
}

interface Words {
  title: string;
  what: string;
  todo: string;
}

const provider = (facts: FlowFacts): string => facts.provider ?? 'The provider';
const theProvider = (facts: FlowFacts): string => facts.provider ?? 'the provider';

const WORDS: Record<FlowFailure, (facts: FlowFacts, context: PageContext) => Words> = {
  access_denied: (f) => ({
    title: 'Access was not granted',
    what: `${provider(f)} reports that access was declined on its consent screen, so no account was connected.`,
    todo: 'If that was a mistake, go back to the app and start connecting again, then approve the permissions it asks for. If your organization restricts third-party apps, ask an administrator to allow this one.',
  }),
  invalid_scope: (f) => ({
    title: 'The requested permissions were refused',
    what: `${provider(f)} did not accept the permissions (scopes) this app asked for${f.scopes ? `: ${f.scopes}` : ''}.`,
    todo: "This is a setting of the app, not something you did. Tell the app's developer: they must change the integration's scopes to ones the provider's OAuth app allows.",
  }),
  redirect_uri_mismatch: (f, c) => ({
    title: 'The redirect URI is not registered',
    what: `${provider(f)} says the address it should send you back to does not match the one registered for this app's OAuth client.`,
    todo: `Tell the app's developer: register exactly ${c.callbackUrl} as a redirect (callback) URI in ${theProvider(f)}'s OAuth app settings, then try again.`,
  }),
  invalid_client: (f) => ({
    title: "The app's OAuth client was refused",
    what: `${provider(f)} did not accept the app's client id or client secret.`,
    todo: "Tell the app's developer: check the client id and secret in the integration's settings against the OAuth app at the provider.",
  }),
  invalid_grant: (f) => ({
    title: 'The authorization could not be completed',
    what: `${provider(f)} refused the authorization code: it had expired or had already been used.`,
    todo: 'Go back to the app and start connecting again; finish within a few minutes.',
  }),
  invalid_id_token: (f) => ({
    title: 'The sign-in could not be verified',
    what: `The identity token from ${theProvider(f)} did not pass verification (issuer, audience, expiry or signature), so it was not trusted.`,
    todo: "Tell the app's developer: check the integration's issuer and the provider's signing keys. Try again once they have.",
  }),
  state_expired: () => ({
    title: 'This sign-in link has expired',
    what: 'Connecting must be finished within 10 minutes of starting, and this one took longer.',
    todo: 'Go back to the app and start connecting again.',
  }),
  state_unknown: () => ({
    title: 'This sign-in is unknown or already finished',
    what: 'The link you came back with does not belong to a connection in progress: it was already used (for example by reloading this page), or it was changed on the way.',
    todo: 'Go back to the app: the account may already be connected. If not, start connecting again.',
  }),
  other_browser: () => ({
    title: 'This sign-in was started in another browser',
    what: 'For your protection, connecting must be finished in the same browser (and profile) where it started.',
    todo: 'Go back to the app in this browser and start connecting again.',
  }),
  wrong_host: (f, c) => ({
    title: 'This connect link was opened on another address than the hub’s',
    what: `It was opened on ${f.hosts?.opened ?? 'another host'}, but the hub’s public URL (PUBLIC_URL) is on ${f.hosts?.public ?? new URL(c.callbackUrl).host}. The provider sends you back to the public URL, where this browser’s sign-in cookie would be missing, so connecting would fail as “started in another browser”.`,
    todo: `Open the app through ${f.hosts?.public ?? new URL(c.callbackUrl).host}, or tell the hub’s operator to set PUBLIC_URL to the address people use (and register its /oauth/callback at the provider).`,
  }),
  session_used: () => ({
    title: 'This connect link was already used',
    what: 'A connect link makes one connection, and this one already made its connection.',
    todo: 'Go back to the app: your account may already be connected. To connect another account, start connecting again from the app.',
  }),
  session_invalid: () => ({
    title: 'This connect link is no longer valid',
    what: 'The link has expired or does not allow connecting this integration.',
    todo: 'Go back to the app and open the connect page again to get a fresh link.',
  }),
  integration_unavailable: () => ({
    title: 'This integration is not available',
    what: 'The integration does not exist in this environment, is disabled, or does not connect with OAuth.',
    todo: "Tell the app's developer: the integration must exist and be enabled.",
  }),
  connection_mismatch: () => ({
    title: 'This connection cannot be re-authorized here',
    what: 'The connection named in the link belongs to another account or integration.',
    todo: 'Go back to the app and start connecting again from its own page.',
  }),
  invalid_configuration: (f) => ({
    title: 'Some details are missing',
    what: `The connection needs details before it can be authorized${f.fields?.length ? `: ${f.fields.join('; ')}` : ''}.`,
    todo: 'Go back to the app, fill them in, and start connecting again.',
  }),
  provider_unreachable: (f) => ({
    title: `${provider(f)} could not be reached`,
    what: `Patchbay could not complete the connection with ${theProvider(f)}: it did not answer, or answered with an error on its side.`,
    todo: 'Wait a few minutes and start connecting again. If it keeps failing, check the provider’s status page.',
  }),
  provider_error: (f) => ({
    title: 'The connection failed',
    what: `${provider(f)} answered with an error${f.providerError?.description ? `: “${f.providerError.description}”` : ''}.`,
    todo: "Start connecting again. If it fails the same way, send this page's error code to the app's developer.",
  }),
};

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What the Connect UI reads from this page when it ran the flow in a popup (same origin). */
export interface PageResult {
  ok: boolean;
  failure?: string;
  connectionId?: string;
  provider?: string;
}

function page(title: string, body: string, result: PageResult): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="patchbay-connect-result" content="${escape(JSON.stringify(result))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — Patchbay</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1f2933}
main{max-width:36rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin-top:0}h2{font-size:1rem;margin-bottom:.25rem}p{line-height:1.5}
.code{color:#616e7c;font-size:.85rem}
</style>
</head>
<body><main>
${body}
</main></body>
</html>
`;
}

export function failurePage(error: ConnectFlowError, context: PageContext): string {
  const words = WORDS[error.failure](error.facts, context);
  const code = error.facts.providerError ? `${error.failure} (${error.facts.providerError.code})` : error.failure;
  return page(
    words.title,
    `<h1>${escape(words.title)}</h1>
<p>${escape(words.what)}</p>
<h2>What to do</h2>
<p>${escape(words.todo)}</p>
<p class="code">Error code: ${escape(code)}</p>`,
    { ok: false, failure: error.failure, ...(error.facts.provider ? { provider: error.facts.provider } : {}) },
  );
}

export function successPage(result: { provider: string; connectionId: string; created: boolean }): string {
  const title = `${result.provider} is connected`;
  return page(
    title,
    `<h1>${escape(title)}</h1>
<p>${result.created ? 'Your account is now connected.' : 'Your account is connected again.'} You can close this window and return to the app.</p>
<p class="code">Connection: ${escape(result.connectionId)}</p>`,
    { ok: true, connectionId: result.connectionId, provider: result.provider },
  );
}

/** Headers for these pages: no caching, no referrer (the URL carried a code), no framing, no scripts. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
} as const;
