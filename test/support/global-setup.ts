import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate, buildPostgresTemplate } from './templates.ts';
import { ensureDashboardBuilt } from '../../demo/build-web.ts';

export default async function setup(project: TestProject): Promise<void> {
  // Tests that open `/` (the banner's links, the browser flows) need the built dashboard, as npm start does.
  await ensureDashboardBuilt((text) => process.stderr.write(text));
  project.provide('pgliteTemplate', await buildPgliteTemplate());
  const url = process.env.DATABASE_URL;
  project.provide('postgresTemplate', url ? await buildPostgresTemplate(url) : '');
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}
