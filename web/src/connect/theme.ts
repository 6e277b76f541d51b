/**
 * Applies a theme: its tokens become CSS custom properties on <html> (the hub checked every
 * value), dark-only tokens apply while the dark scheme is in use, and `colorScheme` pins light or
 * dark. Each call replaces what the previous one set; an integration's default theme lies under
 * the session's (`mergeThemes`).
 */
import type { ThemeSpec } from './api.ts';

let applied: string[] = [];

export function mergeThemes(under: ThemeSpec | null | undefined, over: ThemeSpec | null | undefined): ThemeSpec | null {
  if (!under) return over ?? null;
  if (!over) return under;
  return {
    tokens: { ...under.tokens, ...over.tokens },
    dark: { ...under.dark, ...over.dark },
    colorScheme: over.colorScheme ?? under.colorScheme,
    productName: over.productName ?? under.productName,
    logo: over.logo ?? under.logo,
  } as ThemeSpec;
}

export function applyTheme(theme: ThemeSpec | null): () => void {
  const root = document.documentElement;
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  if (theme?.colorScheme && theme.colorScheme !== 'system') root.dataset.theme = theme.colorScheme;
  else delete root.dataset.theme;
  const isDark = () => (theme?.colorScheme === 'dark' ? true : theme?.colorScheme === 'light' ? false : dark.matches);
  const paint = () => {
    for (const name of applied) root.style.removeProperty(`--${name}`);
    const values = { ...theme?.tokens, ...(isDark() ? theme?.dark : {}) };
    for (const [name, value] of Object.entries(values)) root.style.setProperty(`--${name}`, value);
    applied = Object.keys(values);
  };
  paint();
  dark.addEventListener('change', paint);
  return () => dark.removeEventListener('change', paint);
}
