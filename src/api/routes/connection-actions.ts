/**
 * A connector's actions on a connection: what the connector does on request beyond HTTP
 * passthrough (the Email connector's `send`). `GET /connections/{id}/actions` lists them with their
 * input schemas; `POST /connections/{id}/actions/{action}` checks the input against the action's
 * schema (400 naming each field, nothing sent), runs it with the connection's credential through
 * the provider proxy (rate limits, retries, circuit breaker, SSRF guard), audits that it ran and
 * answers with what the action returned. A provider's refusal is a problem carrying the failure's
 * code and what to check, as the proxy's are. Send an `Idempotency-Key` to make a retry safe: a
 * replay answers the first result without running the action again.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { recordAudit, type Actor } from '../../auth/index.ts';
import { ProblemError, problems, type Logger } from '../../core/index.ts';
import { actionInputProblems, actionOf, failureSubject, type Connector } from '../../connectors/index.ts';
import { describeFailure, type ProviderFailure } from '../../proxy/index.ts';
import type { Db } from '../../db/index.ts';
import { providerContext, type ResolvedConnection, type Scope, type SyncServices } from '../../syncs/index.ts';
import { actorOf, tenantOf } from '../context.ts';
import { AUTHENTICATED_PROBLEMS, problemResponses } from '../schemas.ts';

const tags = ['connections'];
const AnyObject = Type.Record(Type.String(), Type.Unknown());
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const ActionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }), action: Type.String({ minLength: 1, maxLength: 64 }) });
const ActionView = Type.Object({
  name: Type.String(),
  description: Type.String(),
  input: Type.Unknown({ description: 'JSON Schema of the input' }),
});

/** The connector's actions, in their declared order. */
const actionsOf = (connector: Connector) => Object.entries(connector.actions).map(([name, action]) => ({ name, description: action.description, input: action.input }));

/**
 * The answer to a failed action: the provider refused what was asked (422), asks to slow down
 * (429), did not answer in time (504), is held off by the circuit breaker (503), or failed (502).
 */
function actionFailed(failure: ProviderFailure, action: string): ProblemError {
  const status =
    failure.code === 'bad_request' ? 422 : failure.code === 'rate_limited' ? 429 : failure.code === 'timeout' ? 504 : failure.code === 'provider_unavailable' ? 503 : 502;
  const retryAfter = failure.retryAfterSeconds;
  return new ProblemError('action-failed', status, 'Action failed', {
    detail: `${action}: ${failure.message}${failure.hint ? ` ${failure.hint}` : ''}`,
    extra: { code: failure.code, hint: failure.hint, ...(failure.status === undefined ? {} : { providerStatus: failure.status }) },
    ...(status === 429 && retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
  });
}

export interface ActionDeps {
  db: Db;
  services: SyncServices;
}

async function resolveConnection(services: SyncServices, scope: Scope, id: string): Promise<ResolvedConnection> {
  const connection = await services.resolver.resolve(scope, id);
  if (!connection) throw problems.notFound('Connection', id);
  return connection;
}

/** The actions of a connection's connector, with their input schemas. */
export async function listConnectionActions(services: SyncServices, scope: Scope, id: string) {
  return actionsOf((await resolveConnection(services, scope, id)).connector);
}

/**
 * Checks the input, runs the action with the connection's credential through the provider proxy
 * and audits the run (its name and outcome, never its input). The API route and the CLI share it;
 * a refusal is a ProblemError as the API answers it.
 */
export async function runConnectionAction(
  deps: ActionDeps,
  scope: Scope,
  id: string,
  name: string,
  input: Record<string, unknown>,
  caller: { actor: Actor; logger: Logger; correlationId?: string | undefined },
): Promise<{ action: string; output: Record<string, unknown> }> {
  const connection = await resolveConnection(deps.services, scope, id);
  const action = actionOf(connection.connector, name);
  if (!action) {
    const names = Object.keys(connection.connector.actions);
    throw new ProblemError('not-found', 404, 'Not found', {
      detail: `${connection.connector.manifest.name} has no action "${name}"; it has ${names.length > 0 ? names.join(', ') : 'none'}.`,
    });
  }
  const wrong = actionInputProblems(action, input);
  if (wrong.length > 0) throw problems.validation(wrong.map((p) => ({ field: p.path, message: p.message })), `The input of ${name} does not fit its schema; nothing was sent.`);

  const ctx = providerContext(deps.services.proxy, connection, { logger: caller.logger, correlationId: caller.correlationId });
  const audit = { ...scope, actor: caller.actor, targetType: 'connection', targetId: id };
  let output: Record<string, unknown>;
  try {
    output = await action.run(ctx, input);
  } catch (err) {
    const failure = describeFailure(err, failureSubject(connection.connector.manifest));
    await recordAudit(deps.db, { ...audit, action: 'connection.action_failed', details: { action: name, code: failure.code } });
    throw actionFailed(failure, name);
  }
  // The input is not kept: it may hold an end customer's personal data (an email's body).
  await recordAudit(deps.db, { ...audit, action: 'connection.action_ran', details: { action: name } });
  return { action: name, output };
}

export const connectionActionRoutes =
  (services: () => SyncServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/connections/:id/actions',
      {
        config: { scope: 'connections:read' },
        schema: {
          operationId: 'listConnectionActions',
          tags,
          summary: "What the connection's connector can do on request, with each action's input schema",
          params: Params,
          response: { 200: Type.Object({ data: Type.Array(ActionView) }), ...problemResponses(...AUTHENTICATED_PROBLEMS, 404) },
        },
      },
      async (request) => ({ data: await listConnectionActions(services(), tenantOf(request), request.params.id) }),
    );

    app.post(
      '/connections/:id/actions/:action',
      {
        config: { scope: 'proxy:use', rateClass: 'proxy' },
        schema: {
          operationId: 'runConnectionAction',
          tags,
          summary: "Runs one of the connector's actions with the connection's credential (e.g. the Email connector's send); audited",
          description:
            "The body is the action's input, checked against its schema first (400 `validation` naming every field, nothing sent). A provider's refusal answers `action-failed` with its code and hint: 422 when it refused the input, 429 when it asks to slow down, 502/503/504 when it failed, is held off or timed out. " +
            'Send an `Idempotency-Key` header to make a retry safe: a replay answers the first result without running the action again.',
          params: ActionParams,
          body: AnyObject,
          response: {
            200: Type.Object({ action: Type.String(), output: AnyObject }),
            ...problemResponses(...AUTHENTICATED_PROBLEMS, 404, 422, 502, 503, 504),
          },
        },
      },
      async (request) =>
        runConnectionAction({ db: app.deps.database.db, services: services() }, tenantOf(request), request.params.id, request.params.action, request.body, {
          actor: actorOf(request),
          logger: request.log as unknown as Logger,
          correlationId: request.id,
        }),
    );
  };
