/**
 * The demo organization: `acme` with `dev` and `prod`, an owner and a dev API key — created once.
 * Credentials are returned to the launcher, which prints them to the terminal (never the logger)
 * and keeps them in a 0600 file in the data directory.
 *
 * In `dev` the demo also gets, once, a HubSpot integration and a Stripe integration pointing at
 * their simulators, and a Stripe connection tested against its simulator, so a newcomer sees a
 * connected account at once. Simulators are served by the hub at `/_simulators/<key>`; at every
 * start the demo's integrations are pointed at where they answer now (the same place unless the
 * port changed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bootstrapOrganization, findEnvironment, getOrganizationBySlug } from '../src/auth/index.ts';
import type { Db } from '../src/db/index.ts';
import type { Clock, Logger } from '../src/core/index.ts';
import type { Vault } from '../src/credentials/index.ts';
import { createIntegration, findIntegrationByKey, updateIntegration } from '../src/integrations/index.ts';
import { createConnection, getConnection, type Connection } from '../src/connections/index.ts';
import type { SimulatorHandle } from '../simulators/index.ts';
import { credentialsFileText } from './banner.ts';

export const DEMO_ORG = 'acme';
export const DEMO_CONNECTION = 'acme-stripe';
export const credentialsFile = (dataDir: string): string => path.join(dataDir, 'demo-credentials.txt');

export interface DemoSeed {
  created: boolean;
  organizationId: string;
  /** Only on the first start. */
  credentials?: { email: string; password: string; apiKey: string };
}

export async function seedDemo(db: Db, dataDir: string, publicUrl: string): Promise<DemoSeed> {
  const existing = await getOrganizationBySlug(db, DEMO_ORG);
  if (existing) return { created: false, organizationId: existing.id };
  const result = await bootstrapOrganization(db, {
    organizationName: 'Acme (demo)',
    organizationSlug: DEMO_ORG,
    environments: ['dev', 'prod'],
    ownerEmail: 'owner@acme.example',
    ownerName: 'Demo Owner',
    keyEnvironment: 'dev',
    // The demo's connections point at simulators on loopback.
    allowPrivateNetworksIn: ['dev'],
  });
  if (!result) return { created: false, organizationId: (await getOrganizationBySlug(db, DEMO_ORG))!.id };
  const credentials = { email: result.ownerEmail, password: result.ownerPassword, apiKey: result.apiKey };
  fs.writeFileSync(
    credentialsFile(dataDir),
    credentialsFileText({ url: publicUrl, ...credentials }),
    { mode: 0o600 },
  );
  return { created: true, organizationId: result.organization.id, credentials };
}

export interface DemoServices {
  db: Db;
  vault: Vault;
  clock: Clock;
  logger: Logger;
}

/**
 * The HubSpot and Stripe integrations of `dev` (created once, re-pointed at the simulators at
 * every start) and the Stripe connection (created once, tested against the simulator).
 */
export async function seedDemoConnections(services: DemoServices, organizationId: string, simulators: Readonly<Record<string, SimulatorHandle>>): Promise<Connection> {
  const { db, vault, clock, logger } = services;
  const dev = await findEnvironment(db, organizationId, 'dev');
  if (!dev) throw new Error(`the demo organization has no dev environment`);
  const scope = { organizationId, environmentId: dev.id };
  const hubspot = simulators.hubspot!;
  const stripe = simulators.stripe!;
  const oauth = hubspot.oauth!;
  const hubspotUrls = { baseUrl: hubspot.baseUrl, oauthUrls: { authorizationUrl: oauth.authorizationUrl, tokenUrl: oauth.tokenUrl } };

  const hubspotIntegration = await findIntegrationByKey(db, scope, 'hubspot');
  if (!hubspotIntegration) {
    await createIntegration(db, vault, scope, { connectorKey: 'hubspot', clientId: oauth.clientId, clientSecret: oauth.clientSecret, ...hubspotUrls }, { clock });
  } else {
    await updateIntegration(db, vault, scope, hubspotIntegration.id, hubspotUrls, { clock });
  }
  const stripeIntegration = await findIntegrationByKey(db, scope, 'stripe');
  if (!stripeIntegration) await createIntegration(db, vault, scope, { connectorKey: 'stripe', baseUrl: stripe.baseUrl }, { clock });
  else await updateIntegration(db, vault, scope, stripeIntegration.id, { baseUrl: stripe.baseUrl }, { clock });

  const existing = await getConnection(db, scope, DEMO_CONNECTION);
  if (existing) return existing;
  const { connection } = await createConnection(
    db,
    vault,
    scope,
    { integration: 'stripe', id: DEMO_CONNECTION, endCustomerId: 'acme-demo-customer', tags: ['demo'], credentials: stripe.sample.credentials },
    { clock, logger },
  );
  return connection;
}
