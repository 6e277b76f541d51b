import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate, buildPostgresTemplate } from './templates.ts';

export default async function setup(project: TestProject): Promise<void> {
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
