/**
 * What the browser remembers of the dashboard session: the CSRF token handed out at sign-in
 * (the session itself is an httpOnly cookie the page never sees) and the environment the
 * operator works in. Kept in localStorage so a reload or a second tab stays signed in.
 */
import { useSyncExternalStore } from 'react';

const CSRF_KEY = 'patchbay.csrf';
const ENVIRONMENT_KEY = 'patchbay.environment';
const listeners = new Set<() => void>();

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage refused (private mode): the session lasts as long as the page.
  }
  memory.set(key, value);
  for (const listener of listeners) listener();
}

const memory = new Map<string, string | null>();
const get = (key: string): string | null => (memory.has(key) ? memory.get(key)! : read(key));

export const session = {
  csrfToken: (): string | null => get(CSRF_KEY),
  setCsrfToken: (token: string | null) => write(CSRF_KEY, token),
  /** The environment every environment-scoped request names (`patchbay-environment`). */
  environment: (): string => get(ENVIRONMENT_KEY) ?? 'dev',
  setEnvironment: (name: string) => write(ENVIRONMENT_KEY, name),
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** The current environment name, re-rendering when it is switched. */
export function useEnvironment(): string {
  return useSyncExternalStore(session.subscribe, session.environment);
}
