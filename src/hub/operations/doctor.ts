import { sql } from 'drizzle-orm';
import { toError } from '../../core/index.ts';
import { looseDataDirModes, pendingMigrations, readLockHolder, rows } from '../../db/index.ts';
import type { Operation } from './index.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

// Clocks further apart than this break lease expiry and signature timestamps.
const MAX_CLOCK_SKEW_MS = 2_000;

/** Configuration, database, migrations, lock, data-directory modes, clock and overdue credentials, each with a verdict. */
export const doctor: Operation = async ({ config, database, clock, vault }) => {
  const checks: Check[] = [];
  const check = async (name: string, run: () => Promise<Omit<Check, 'name'>>) => {
    try {
      checks.push({ name, ...(await run()) });
    } catch (err) {
      checks.push({ name, ok: false, detail: toError(err).message });
    }
  };
  await check('configuration', async () => ({
    ok: true,
    detail: `${config.databaseUrl ? 'PostgreSQL' : `embedded database in ${config.dataDir}`}; master keys ${config.secretKeys.length > 0 ? `from PATCHBAY_SECRET_KEYS (${config.secretKeys.map((k) => k.id).join(', ')})` : 'generated into the data directory (set PATCHBAY_SECRET_KEYS in production)'}`,
  }));
  await check('database', async () => {
    const [row] = await rows<{ version: string }>(database.db, sql`select current_setting('server_version') as version`);
    return { ok: true, detail: `PostgreSQL ${row?.version} reachable (${database.kind})` };
  });
  await check('migrations', async () => {
    const pending = await pendingMigrations(database.db);
    return { ok: pending === 0, detail: pending === 0 ? 'all applied' : `${pending} not applied: run \`patchbay migrate\`` };
  });
  await check('lock', async () => {
    if (config.databaseUrl) return { ok: true, detail: 'not needed with PostgreSQL' };
    const holder = readLockHolder(config.dataDir);
    return { ok: true, detail: holder ? `held by process ${holder.pid} (${holder.command}) since ${holder.startedAt}` : 'free' };
  });
  await check('file modes', async () => {
    const loose = looseDataDirModes(config.dataDir);
    if (loose.length === 0) return { ok: true, detail: `${config.dataDir} is its owner's alone (directories 0700, files 0600)` };
    const shown = loose.slice(0, 5).map((e) => `${e.path} (${e.mode.toString(8).padStart(4, '0')})`);
    return {
      ok: false,
      detail: `${loose.length} entr${loose.length === 1 ? 'y' : 'ies'} of the data directory readable or writable by others: ${shown.join(', ')}${loose.length > 5 ? ', …' : ''}. Run \`chmod -R go-rwx ${config.dataDir}\` (the hub also restricts them when it starts).`,
    };
  });
  await check('clock', async () => {
    const before = clock.now().getTime();
    const [row] = await rows<{ now: string }>(database.db, sql`select (extract(epoch from clock_timestamp()) * 1000)::text as now`);
    const after = clock.now().getTime();
    const skew = Math.round(Number(row?.now) - (before + after) / 2);
    return { ok: Math.abs(skew) <= MAX_CLOCK_SKEW_MS, detail: `database clock ${skew >= 0 ? '+' : ''}${skew} ms from this machine` };
  });
  await check('credentials', async () => {
    const overdue = await vault.listOverdue(database.db);
    return {
      ok: overdue.length === 0,
      detail: overdue.length === 0 ? 'no credential overdue for rotation' : `${overdue.length} overdue for rotation: ${overdue.slice(0, 10).map((s) => `${s.ownerType} ${s.ownerId} (${s.name})`).join(', ')}`,
    };
  });
  return { ok: checks.every((c) => c.ok), checks };
};
