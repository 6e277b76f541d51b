/**
 * The demo organization: `acme` with `dev` and `prod`, an owner and a dev API key — created once.
 * Credentials are returned to the launcher, which prints them to the terminal (never the logger)
 * and keeps them in a 0600 file in the data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bootstrapOrganization, getOrganizationBySlug } from '../src/auth/index.ts';
import type { Db } from '../src/db/index.ts';

export const DEMO_ORG = 'acme';
export const credentialsFile = (dataDir: string): string => path.join(dataDir, 'demo-credentials.txt');

export interface DemoSeed {
  created: boolean;
  organizationId: string;
  /** Only on the first start. */
  credentials?: { email: string; password: string; apiKey: string };
}

export async function seedDemo(db: Db, dataDir: string, dashboardUrl: string): Promise<DemoSeed> {
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
    [`dashboard: ${dashboardUrl}`, `login:     ${credentials.email}`, `password:  ${credentials.password}`, `dev API key: ${credentials.apiKey}`, ''].join('\n'),
    { mode: 0o600 },
  );
  return { created: true, organizationId: result.organization.id, credentials };
}
