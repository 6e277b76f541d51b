/**
 * Applies a session's theme: its tokens become CSS custom properties on <html> (the hub checked
 * every value), dark-only tokens apply while the dark scheme is in use, and `colorScheme` pins
 * light or dark.
 */
import type { ThemeSpec } from './api.ts';

export function applyTheme(theme: ThemeSpec | null): () => void {
  const root = document.documentElement;
  if (!theme) return () => {};
  if (theme.colorScheme && theme.colorScheme !== 'system') root.dataset.theme = theme.colorScheme;
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const isDark = () => (theme.colorScheme === 'dark' ? true : theme.colorScheme === 'light' ? false : dark.matches);
  const paint = () => {
    const values = { ...theme.tokens, ...(isDark() ? theme.dark : {}) };
    for (const [name, value] of Object.entries(theme.tokens ?? {})) if (!(name in values)) root.style.removeProperty(`--${name}`);
    for (const name of Object.keys(theme.dark ?? {})) if (!(name in values)) root.style.removeProperty(`--${name}`);
    for (const [name, value] of Object.entries(values)) root.style.setProperty(`--${name}`, value);
  };
  paint();
  dark.addEventListener('change', paint);
  return () => dark.removeEventListener('change', paint);
}
