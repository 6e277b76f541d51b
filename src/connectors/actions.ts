/**
 * A connector's actions as the hub runs them: found by name, their input checked against the
 * action's own schema before anything reaches the provider.
 */
import { Compile } from 'typebox/compile';
import { ProviderFailureError } from '../proxy/index.ts';
import type { ActionDefinition } from './extensions.ts';
import type { Connector, ConnectorContext } from './sdk.ts';

const inputCheckers = new WeakMap<object, ReturnType<typeof Compile>>();

/** A connector's action by name (own properties only: `constructor` is no action). */
export function actionOf(connector: Connector, name: string): ActionDefinition | undefined {
  return Object.hasOwn(connector.actions, name) ? connector.actions[name] : undefined;
}

/** What is wrong with an action's input, as JSON Pointers into it and messages; empty when it fits the schema. */
export function actionInputProblems(action: ActionDefinition, input: unknown): { path: string; message: string }[] {
  let check = inputCheckers.get(action.input);
  if (!check) inputCheckers.set(action.input, (check = Compile(action.input)));
  if (check.Check(input)) return [];
  const problems = [...check.Errors(input)].map((e) => ({ path: e.instancePath || '/', message: e.message }));
  return problems.length > 0 ? problems : [{ path: '/', message: 'does not match the schema' }];
}

/**
 * Runs a connector's action after checking its input against the action's schema; a wrong input
 * throws `ProviderFailureError('bad_request')` naming the first problem, before anything is sent.
 *
 * @example
 * const { messageId } = await runAction(getConnector('email')!, 'send', ctx, { to: 'a@example.com', subject: 'Hi', text: '…' });
 */
export async function runAction(connector: Connector, name: string, ctx: ConnectorContext, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const action = actionOf(connector, name);
  if (!action) throw new ProviderFailureError('bad_request', `${connector.manifest.name} has no action "${name}" (it has: ${Object.keys(connector.actions).join(', ') || 'none'})`);
  const [first] = actionInputProblems(action, input);
  if (first) throw new ProviderFailureError('bad_request', `the input of ${name} is invalid: ${first.path} ${first.message}`);
  return action.run(ctx, input);
}
