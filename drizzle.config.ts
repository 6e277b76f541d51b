import { defineConfig } from 'drizzle-kit';

// Every module keeps its tables in its own `schema.ts`; drizzle-kit gathers them all.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/**/schema.ts',
  out: './src/db/migrations',
});
