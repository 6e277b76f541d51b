/**
 * The browser half of connecting an OAuth account (absolute paths, outside /api/v1):
 * `GET /oauth/connect/{integrationId}` starts it — with a connect session token from the product's
 * backend, or with the dashboard's own signed-in session — and `GET /oauth/callback` finishes it.
 * Both answer a browser: a redirect, or a page that says in words what happened.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findEnvironment, findSession, getMember, scopesForRole } from '../../auth/index.ts';
import { findConnectSession, sessionAllows } from '../../credentials/oauth/index.ts';
import { ConnectFlowError, findIntegration, finishAuthorization, startAuthorization, type FlowFailure, type StartInput } from '../../connections/index.ts';
import { SESSION_COOKIE } from '../auth.ts';
import { loggerOf } from '../context.ts';
import { registerCookieWriter, requestCookies } from '../cookies.ts';
import { failurePage, PAGE_HEADERS, successPage } from '../oauth-page.ts';

const STATUS: Partial<Record<FlowFailure, number>> = {
  session_invalid: 401,
  session_used: 409,
  integration_unavailable: 404,
  provider_unreachable: 502,
};

const Html = { description: 'A page saying what happened and what to do', content: { 'text/html': { schema: Type.String() } } };
const CONFIG_PREFIX = 'config.';

export const oauthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['connect'];
  const { config, clock, logger } = app.deps;
  const callbackUrl = `${config.publicUrl}/oauth/callback`;
  const secure = config.publicUrl.startsWith('https:');
  const publicHost = new URL(config.publicUrl);
  const HOST_CHECKED = 'publicHost';
  // The OAuth state cookie is set when the flow starts and cleared when it finishes: these routes only.
  await registerCookieWriter(app);

  /**
   * The state cookie is set on the host the flow starts on, and the provider sends the browser
   * back to PUBLIC_URL's: started on 127.0.0.1 while PUBLIC_URL says localhost, the cookie would be
   * missing at the callback. So a start on another host goes to the same URL on the public host
   * first; if it arrives there on another host again (a proxy rewriting Host), the page says so.
   */
  function onPublicHost(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
    if (request.hostname.toLowerCase() === publicHost.hostname.toLowerCase()) return undefined;
    const url = new URL(request.url, config.publicUrl);
    if (url.searchParams.has(HOST_CHECKED)) {
      return fail(reply, new ConnectFlowError('wrong_host', `Opened on ${request.host}, PUBLIC_URL is ${publicHost.host}.`, { hosts: { opened: request.host, public: publicHost.host } }));
    }
    url.searchParams.set(HOST_CHECKED, '1');
    logger.info({ opened: request.host, public: publicHost.host }, 'oauth start moved to the public host');
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(url.href, 302);
  }

  const fail = (reply: FastifyReply, error: ConnectFlowError) => {
    logger.info({ failure: error.failure, providerError: error.facts.providerError?.code }, 'oauth flow failed');
    return reply
      .status(STATUS[error.failure] ?? 400)
      .headers(PAGE_HEADERS)
      .send(failurePage(error, { callbackUrl }));
  };

  /** Who starts the flow: a connect session, or a dashboard user naming the environment and end customer. */
  async function starter(
    request: FastifyRequest<{ Params: { integrationId: string }; Querystring: Record<string, string | undefined> }>,
  ): Promise<{ scope: { organizationId: string; environmentId: string }; input: Omit<StartInput, 'callbackUrl'> }> {
    const { db } = app.deps.database;
    const query = request.query;
    const fromQuery: Record<string, string> = {};
    for (const [name, value] of Object.entries(query)) if (name.startsWith(CONFIG_PREFIX) && value !== undefined) fromQuery[name.slice(CONFIG_PREFIX.length)] = value;
    if (query.connectSession) {
      const session = await findConnectSession(db, clock, query.connectSession);
      if (!session) throw new ConnectFlowError('session_invalid', 'The connect session is unknown or has expired.');
      if (session.usedAt) throw new ConnectFlowError('session_used', 'The connect session already made its connection.');
      const scope = { organizationId: session.organizationId, environmentId: session.environmentId };
      const integration = await findIntegration(db, scope, request.params.integrationId);
      if (!integration || !sessionAllows(session, integration.id)) throw new ConnectFlowError('session_invalid', 'The connect session does not allow this integration.');
      if (session.connectionId && query.connectionId && query.connectionId !== session.connectionId) {
        throw new ConnectFlowError('connection_mismatch', 'The connect session is for another connection.');
      }
      return {
        scope,
        input: {
          integration: integration.id,
          endCustomerId: session.endCustomerId,
          connectionId: session.connectionId ?? query.connectionId,
          connectionConfig: { ...session.connectionConfig, ...fromQuery },
          tags: session.tags,
          connectSessionId: session.id,
        },
      };
    }
    // The dashboard's connect button: the signed-in user's session, its CSRF token in the link.
    const cookie = requestCookies(request)[SESSION_COOKIE];
    const session = cookie ? await findSession(db, clock, cookie) : undefined;
    if (!session) throw new ConnectFlowError('session_invalid', 'Neither a connect session nor a dashboard session came with the request.');
    const member = await getMember(db, session.organizationId, session.userId);
    if (!member || !scopesForRole(member.role).includes('connections:write')) throw new ConnectFlowError('session_invalid', 'Your role cannot connect accounts.');
    if (query.csrfToken !== session.csrfToken) throw new ConnectFlowError('session_invalid', 'The link lacks the CSRF token of your session.');
    const environment = query.environment ? await findEnvironment(db, session.organizationId, query.environment) : undefined;
    if (!environment) throw new ConnectFlowError('session_invalid', 'The link names no environment of your organization.');
    if (!query.endCustomerId) throw new ConnectFlowError('invalid_configuration', 'The link names no end customer.', { fields: ['endCustomerId is required'] });
    return {
      scope: { organizationId: session.organizationId, environmentId: environment.id },
      input: { integration: request.params.integrationId, endCustomerId: query.endCustomerId, connectionId: query.connectionId, connectionConfig: fromQuery, userId: session.userId },
    };
  }

  app.get(
    '/oauth/connect/:integrationId',
    {
      config: { public: true },
      schema: {
        operationId: 'startOAuthConnect',
        tags,
        summary: 'Start connecting an OAuth account: redirects the browser to the provider (authorization code with PKCE)',
        description:
          'With `connectSession` (a token from POST /api/v1/connect/sessions), or with the dashboard session cookie plus `environment`, `endCustomerId` and `csrfToken`. ' +
          '`connectionId` names the connection to create, or an existing one to re-authorize. Connection configuration can be given as `config.<field>` parameters. ' +
          'Opened on a host other than PUBLIC_URL’s (127.0.0.1 for localhost), it first redirects to the same URL on PUBLIC_URL’s host, so the browser-binding cookie is set where the provider sends the browser back.',
        security: [],
        params: Type.Object({ integrationId: Type.String({ minLength: 1, maxLength: 128 }) }),
        querystring: Type.Object(
          {
            connectSession: Type.Optional(Type.String({ maxLength: 200 })),
            connectionId: Type.Optional(Type.String({ maxLength: 128 })),
            environment: Type.Optional(Type.String({ maxLength: 64 })),
            endCustomerId: Type.Optional(Type.String({ maxLength: 255 })),
            csrfToken: Type.Optional(Type.String({ maxLength: 200 })),
            publicHost: Type.Optional(Type.String({ maxLength: 10, description: 'Set by the hub when it moved the start to PUBLIC_URL’s host' })),
          },
          { additionalProperties: Type.String({ maxLength: 2000 }) },
        ),
        response: {
          302: { description: 'To the provider’s authorization page', type: 'null' },
          400: Html,
          401: Html,
          404: Html,
          409: Html,
          502: Html,
        },
      },
    },
    async (request, reply) => {
      const moved = onPublicHost(request, reply);
      if (moved) return moved;
      try {
        const { scope, input } = await starter(request as never);
        const started = await startAuthorization(app.deps.database.db, app.deps.vault, scope, { ...input, callbackUrl }, { clock, logger: loggerOf(request) });
        reply.setCookie(started.cookie.name, started.cookie.value, { path: '/oauth/callback', httpOnly: true, sameSite: 'lax', secure, expires: started.cookie.expiresAt });
        return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(started.authorizationUrl, 302);
      } catch (err) {
        if (err instanceof ConnectFlowError) return fail(reply, err);
        throw err;
      }
    },
  );

  app.get(
    '/oauth/callback',
    {
      config: { public: true },
      schema: {
        operationId: 'finishOAuthConnect',
        tags,
        summary: `The OAuth redirect URI: register exactly ${callbackUrl} at the provider`,
        security: [],
        querystring: Type.Object({}, { additionalProperties: Type.String({ maxLength: 10_000 }) }),
        response: { 200: Html, 400: Html, 401: Html, 404: Html, 409: Html, 502: Html },
      },
    },
    async (request, reply) => {
      const params = new URLSearchParams(request.query as Record<string, string>);
      try {
        const finished = await finishAuthorization(app.deps.database.db, app.deps.vault, { params, cookies: requestCookies(request), callbackUrl }, { clock, logger: loggerOf(request) });
        reply.clearCookie(finished.cookieName, { path: '/oauth/callback' });
        return reply
          .status(200)
          .headers(PAGE_HEADERS)
          .send(successPage({ provider: finished.provider, connectionId: finished.connection.id, created: finished.created }));
      } catch (err) {
        if (err instanceof ConnectFlowError) return fail(reply, err);
        throw err;
      }
    },
  );
};
