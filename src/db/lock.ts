/**
 * PGlite has no lock of its own: two processes on one data directory silently corrupt it. The
 * owner holds `patchbay.lock` (created with O_EXCL); a second process exits with a message naming
 * the directory and the holder. A lock whose process is gone is taken over.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockHolder {
  pid: number;
  hostname: string;
  startedAt: string;
  command: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by process ${holder.pid} (${holder.command}, started ${holder.startedAt}). ` +
        'Only one Patchbay process may own an embedded database. Stop that process, or run CLI commands while it runs (they reach it over its local socket), ' +
        'or use DATABASE_URL to share a PostgreSQL server between processes.',
    );
    this.name = 'DataDirLockedError';
  }
}

export const lockPath = (dataDir: string): string => path.join(dataDir, 'patchbay.lock');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the lock, if a live process does. */
export function readLockHolder(dataDir: string): LockHolder | undefined {
  let text: string;
  try {
    text = fs.readFileSync(lockPath(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder.pid !== 'number') return undefined;
    if (holder.hostname !== os.hostname()) return holder; // cannot check another machine's pid: assume alive
    return isAlive(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  release(): void;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockPath(dataDir);
  const me: LockHolder = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).map((a) => path.basename(a)).join(' ').slice(0, 200),
  };
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, 0o600);
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
          if (holder.pid === process.pid) fs.unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLockHolder(dataDir);
      if (holder && holder.pid !== process.pid) throw new DataDirLockedError(dataDir, holder);
      // Stale (dead pid, unreadable) or our own leftover: take it over.
      try {
        fs.unlinkSync(file);
      } catch {
        // Someone else removed it first; try again.
      }
    }
  }
  throw new Error(`Could not take the lock ${file}`);
}
