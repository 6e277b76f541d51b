/**
 * Provider simulators for tests and the demo: small HTTP servers on loopback that speak the
 * subset of each provider's API its connector uses. Product code never imports this module.
 *
 * @example
 * const sim = await startSimulator('stripe');
 * sim.control.forceStatus(401, { times: 1 });
 * await runConnectionTest(getConnector('stripe')!, { baseUrl: sim.baseUrl, credentials: sim.sample.credentials });
 * await sim.close();
 */
import { startCustomOauthSimulator } from './custom-oauth.ts';
import { startCustomWebhookSimulator } from './custom-webhook.ts';
import { startEmailSimulator } from './email.ts';
import { startGithubSimulator } from './github.ts';
import { startHubspotSimulator } from './hubspot.ts';
import { startOktaSimulator } from './okta.ts';
import { startOpsgenieSimulator } from './opsgenie.ts';
import { startPagerdutySimulator } from './pagerduty.ts';
import { startPipedriveSimulator } from './pipedrive.ts';
import { startPostgresSimulator } from './postgres.ts';
import { startSalesforceSimulator } from './salesforce.ts';
import { startSegmentSimulator } from './segment.ts';
import { startSlackSimulator } from './slack.ts';
import { startStripeSimulator } from './stripe.ts';
import { startWebhookSenderSimulator } from './webhooks/sender.ts';
import { deliverSigned, HEADER_SECRET_SIGNERS, SIGNERS, type Signer } from './webhooks/signers.ts';
import type { SimulatorHandle, SimulatorOptions, SimulatorProfile, StartSimulator } from './support/handle.ts';
import { LEGACY_PROFILES } from './profiles.ts';
import { DEFINED_SIMULATORS } from './defined.ts';
import type { MountedSimulators } from './mount.ts';

export type { SimulatorHandle, SimulatorOptions, SimulatorProfile, StartSimulator } from './support/handle.ts';
export type { SimulatorControl, RecordedRequest } from './support/server.ts';
export type { OAuthControl } from './support/oauth.ts';
export type { CustomWebhookSimulatorHandle, WebhookEvent } from './custom-webhook.ts';
export { startCustomWebhookSimulator, startWebhookSenderSimulator };
export type { WebhookSenderHandle } from './webhooks/sender.ts';
export { SIGNERS, type Signer, type SignedWebhook, type WebhookToSign } from './webhooks/signers.ts';
export { SAMPLE_WEBHOOK_SECRETS } from './webhooks/sender.ts';
// Notification-channel simulators (no connector of their own, so not in SIMULATORS).
export { startTeamsSimulator, type TeamsSimulatorHandle, type TeamsMessage } from './teams.ts';
export { startOpsgenieSimulator, OPSGENIE_SAMPLE_KEY, type OpsgenieSimulatorHandle, type OpsgenieAlert } from './opsgenie.ts';
export { startSlackSimulator, type SlackSimulatorHandle, type SlackMessage } from './slack.ts';
export { startPagerdutySimulator, PAGERDUTY_SAMPLE_ROUTING_KEY, type PagerdutySimulatorHandle, type PagerdutyEvent } from './pagerduty.ts';
export { mountedSimulators, SIMULATORS_PATH, type MountedSimulators } from './mount.ts';
export { startSecretsManagerSimulator, SAMPLE_AWS_KEY, type SecretsManagerSimulator, type SecretsManagerSimulatorOptions } from './aws-secrets-manager.ts';
export { startEmailSimulator, EMAIL_SAMPLE, type EmailSimulatorHandle, type ReceivedMail } from './email.ts';
export { startPostgresSimulator, LOCAL_POSTGRES, type PostgresSimulatorHandle, type TableDataset } from './postgres.ts';

export { HUBSPOT_DEFAULT_COUNTS } from './hubspot.ts';
export { STRIPE_DEFAULT_COUNTS } from './stripe.ts';
export { SALESFORCE_DEFAULT_COUNTS } from './salesforce.ts';
export { GITHUB_DEFAULT_COUNTS } from './github.ts';
export { PAGERDUTY_DEFAULT_COUNTS } from './pagerduty.ts';
export { PIPEDRIVE_DEFAULT_COUNTS } from './pipedrive.ts';
export type { Dataset } from './support/dataset.ts';
export type { Fault } from './support/server.ts';

/** One simulator per connector key. */
export const SIMULATORS: Readonly<Record<string, StartSimulator>> = {
  'custom-oauth': startCustomOauthSimulator,
  'custom-webhook': startCustomWebhookSimulator,
  email: startEmailSimulator,
  github: startGithubSimulator,
  hubspot: startHubspotSimulator,
  okta: startOktaSimulator,
  opsgenie: startOpsgenieSimulator,
  pagerduty: startPagerdutySimulator,
  pipedrive: startPipedriveSimulator,
  postgres: startPostgresSimulator,
  salesforce: startSalesforceSimulator,
  segment: startSegmentSimulator,
  slack: startSlackSimulator,
  stripe: startStripeSimulator,
  ...DEFINED_SIMULATORS,
};

/** How the provider of `key` signs the webhooks it sends, if it sends any. */
export function signerOf(key: string): Signer | undefined {
  return SIGNERS[key] ?? HEADER_SECRET_SIGNERS[key] ?? DEFINED_SIMULATORS[key]?.signer;
}

/** What the conformance suite exercises against the simulator of `key` (see `SimulatorProfile`). */
export function simulatorProfile(key: string): SimulatorProfile | undefined {
  const start = SIMULATORS[key] as (StartSimulator & { profile?: SimulatorProfile }) | undefined;
  return start?.profile ?? LEGACY_PROFILES[key];
}

export async function startSimulator(key: string, options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const start = SIMULATORS[key];
  if (!start) throw new Error(`no simulator for "${key}"; known: ${Object.keys(SIMULATORS).join(', ')}`);
  const handle = await start(options);
  handle.profile ??= simulatorProfile(key);
  const signer = signerOf(key);
  if (signer && !handle.sendWebhook) {
    handle.sendWebhook = ({ url, body, secret, id }) => deliverSigned(signer(secret, { url, body, ...(id ? { id } : {}) }));
  }
  return handle;
}

export interface RunningSimulators {
  simulators: Readonly<Record<string, SimulatorHandle>>;
  close(): Promise<void>;
}

/**
 * Starts every simulator (for the demo). With `mount`, each is served by the hub at
 * `/_simulators/<key>` (see mount.ts): one stable address per simulator, no port of its own.
 * With `basePort`, simulator n (in key order) listens on `basePort + n`, so URLs stay the same
 * across restarts (a taken port is an error naming the simulator); otherwise ports are free ones.
 */
export async function startAllSimulators(options: { host?: string; basePort?: number; mount?: MountedSimulators } = {}): Promise<RunningSimulators> {
  const keys = Object.keys(SIMULATORS).sort();
  const started = await Promise.allSettled(
    keys.map((key, i) =>
      startSimulator(key, {
        ...(options.host ? { host: options.host } : {}),
        ...(options.basePort === undefined ? {} : { port: options.basePort + i }),
        ...(options.mount ? { mount: options.mount.at(key) } : {}),
      }),
    ),
  );
  const handles = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(handles.map((h) => h.close()));
    throw failed.reason;
  }
  return {
    simulators: Object.fromEntries(handles.map((h) => [h.key, h])),
    close: async () => {
      await Promise.all(handles.map((h) => h.close()));
    },
  };
}
