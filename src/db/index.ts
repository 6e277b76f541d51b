export { openDatabase, pgliteDir, type Database, type DatabaseKind, type OpenOptions, type NotificationHandler } from './connection.ts';
export { migrate, pendingMigrations, MIGRATIONS_FOLDER, type MigrationResult } from './migrate.ts';
export { acquireDataDirLock, readLockHolder, lockPath, DataDirLockedError, type LockHolder, type DataDirLock } from './lock.ts';
export { rows, type Db } from './types.ts';
export { timestamps, createdAt, bytea } from './columns.ts';
export { looseDataDirModes, tightenDataDirModes, OwnerOnlyNodeFS } from './data-dir-modes.ts';
export { isFreshDataDir, prepareDataDir, prepareFreshDataDir, usePrepareCommand, type PrepareCommand } from './prepare.ts';
