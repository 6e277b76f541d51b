/**
 * Runs a connector's test for one connection and always answers with a result: every failure,
 * from bad configuration to a refused connection to a bug in the connector, becomes the shared
 * `{ code, message, hint }`.
 */
import { silentLogger } from '../core/index.ts';
import { describeFailure, failureFor, type FailureSubject } from '../proxy/index.ts';
import { ConnectorConfigError, createConnectorContext, type ConnectorContextOptions } from './context.ts';
import type { ConnectorManifest } from './manifest.ts';
import type { Connector, ConnectorContext, TestConnectionResult } from './sdk.ts';
import { TemplateError } from './templates.ts';

/** How failure messages name this provider, its credential and its configuration. */
export function failureSubject(manifest: ConnectorManifest): FailureSubject {
  const fieldLabels = [...Object.values(manifest.integrationConfig), ...Object.values(manifest.connectionConfig)].map((f) => f.label);
  if (manifest.connectionMode === 'oauth') {
    return { provider: manifest.name, credential: 'authorization', reauthorize: true, configFields: fieldLabels };
  }
  const fields = Object.values(manifest.auth.fields);
  const secret = fields.find((f) => f.secret) ?? fields[0];
  const credential = manifest.connectionMode === 'basic' ? 'username and password' : secret ? lowerFirst(secret.label) : 'credential';
  return { provider: manifest.name, credential, reauthorize: false, configFields: fieldLabels };
}

/** `Secret key` → `secret key`; `API token` stays. */
function lowerFirst(label: string): string {
  return /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

/**
 * @example
 * const result = await runConnectionTest(getConnector('stripe')!, { credentials: { apiKey } });
 * if (!result.ok) console.log(result.error.message, result.error.hint);
 */
export async function runConnectionTest(connector: Connector, options: ConnectorContextOptions): Promise<TestConnectionResult> {
  const subject = failureSubject(connector.manifest);
  let ctx: ConnectorContext;
  try {
    ctx = createConnectorContext(connector, options);
  } catch (err) {
    if (err instanceof ConnectorConfigError || err instanceof TemplateError) {
      return { ok: false, error: failureFor('invalid_configuration', subject, { detail: err.message }) };
    }
    throw err;
  }
  return testWithContext(connector, ctx, subject);
}

/** Runs the test with a context built elsewhere (the proxy, a sync run). */
export async function testWithContext(
  connector: Connector,
  ctx: ConnectorContext,
  subject: FailureSubject = failureSubject(connector.manifest),
): Promise<TestConnectionResult> {
  try {
    return await connector.testConnection(ctx);
  } catch (err) {
    const error = describeFailure(err, subject);
    if (error.code === 'connector_error') {
      (ctx.logger ?? silentLogger).error({ err }, 'connector test failed unexpectedly');
    }
    return { ok: false, error };
  }
}
