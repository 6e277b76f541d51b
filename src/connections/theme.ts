/**
 * Themes for the Connect UI and the embedded widgets: overrides of the design tokens (the CSS
 * custom properties of web/src/tokens.css, named without their `--`), for both colour schemes
 * (`tokens`) and for dark only (`dark`), plus the product's name and logo. Every value is checked
 * against its token's kind, so a theme can only ever set a colour, a length, a font list… and
 * never smuggle other CSS into the page. A bad value is a 400 naming the token.
 */
import type { FieldError } from '../core/index.ts';

type Kind = 'colour' | 'gradient' | 'font' | 'length' | 'weight' | 'shadow' | 'number';

/** The tokens a theme may set, by kind. */
export const THEME_TOKENS: Readonly<Record<string, Kind>> = {
  'color-background': 'colour',
  'color-surface': 'colour',
  'color-surface-raised': 'colour',
  'color-border': 'colour',
  'color-border-strong': 'colour',
  'color-text': 'colour',
  'color-muted': 'colour',
  'color-primary': 'colour',
  'color-primary-hover': 'colour',
  'color-on-primary': 'colour',
  'color-primary-soft': 'colour',
  'color-danger': 'colour',
  'color-on-danger': 'colour',
  'color-danger-soft': 'colour',
  'color-success': 'colour',
  'color-success-soft': 'colour',
  'color-warning': 'colour',
  'color-warning-soft': 'colour',
  'color-focus': 'colour',
  'gradient-header': 'gradient',
  'gradient-primary': 'gradient',
  'font-family': 'font',
  'font-size-sm': 'length',
  'font-size-md': 'length',
  'font-size-lg': 'length',
  'font-size-xl': 'length',
  'font-weight-medium': 'weight',
  'font-weight-bold': 'weight',
  'line-height': 'number',
  'radius-sm': 'length',
  'radius-md': 'length',
  'radius-lg': 'length',
  'space-2': 'length',
  'space-3': 'length',
  'space-4': 'length',
  'space-5': 'length',
  'focus-ring': 'shadow',
  'shadow-raised': 'shadow',
};

const COLOUR = /^(?:#[0-9a-fA-F]{3,4}|#[0-9a-fA-F]{6}|#[0-9a-fA-F]{8}|(?:rgb|rgba|hsl|hsla|oklch|oklab)\(\s*[0-9.,%\s/+-]+(?:deg)?[0-9.,%\s/+-]*\)|transparent)$/;
const LENGTH = /^(?:0|\d{1,4}(?:\.\d{1,3})?(?:px|rem|em))$/;
const SAFE_FUNCTIONS = /^[a-z0-9#.,%()\s/+-]+$/i;
const KIND_RULES: Record<Kind, { test: (value: string) => boolean; says: string }> = {
  colour: { test: (v) => COLOUR.test(v), says: 'is not a colour (#rgb, #rrggbb, #rrggbbaa, rgb(), hsl(), oklch() or transparent)' },
  gradient: {
    test: (v) => /^(?:linear|radial|conic)-gradient\(.+\)$/.test(v) && SAFE_FUNCTIONS.test(v) && !/url\s*\(/i.test(v),
    says: 'is not a gradient (linear-gradient(), radial-gradient() or conic-gradient() of colours)',
  },
  font: { test: (v) => /^[A-Za-z0-9 ,'"-]{1,200}$/.test(v), says: 'is not a font-family list (names, quotes, commas and hyphens only)' },
  length: { test: (v) => LENGTH.test(v), says: 'is not a length (0, or a number with px, rem or em)' },
  weight: { test: (v) => /^[1-9]00$|^[1-9]50$/.test(v), says: 'is not a font weight (100 to 900)' },
  number: { test: (v) => /^\d(?:\.\d{1,2})?$/.test(v), says: 'is not a unitless number such as 1.5' },
  shadow: { test: (v) => v.length <= 200 && SAFE_FUNCTIONS.test(v) && !/url\s*\(/i.test(v), says: 'is not a box-shadow of lengths and colours' },
};

export type ColorScheme = 'light' | 'dark' | 'system';

/** A checked theme, as stored with a session and handed to the Connect UI. */
export interface Theme {
  tokens?: Record<string, string>;
  dark?: Record<string, string>;
  colorScheme?: ColorScheme;
  productName?: string;
  /** A `data:image/(png|svg+xml|webp);base64,…` URL: the Connect UI loads nothing from other hosts. */
  logo?: string;
}

const LOGO = /^data:image\/(?:png|svg\+xml|webp);base64,[A-Za-z0-9+/]+=*$/;

function checkTokens(values: unknown, at: string, errors: FieldError[]): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    errors.push({ field: at, message: 'must be an object of token names to values' });
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    const token = name.startsWith('--') ? name.slice(2) : name;
    const kind = THEME_TOKENS[token];
    if (!kind) {
      errors.push({ field: `${at}/${name}`, message: `is not a theme token (one of ${Object.keys(THEME_TOKENS).join(', ')})` });
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (!KIND_RULES[kind].test(text)) errors.push({ field: `${at}/${name}`, message: KIND_RULES[kind].says });
    else out[token] = text;
  }
  return out;
}

/**
 * Checks a theme from a request; `at` is the JSON pointer of the theme in the body.
 *
 * @example
 * const { theme, errors } = checkTheme({ tokens: { 'color-primary': '#0a7d5a' } }, '/theme');
 */
export function checkTheme(input: unknown, at = '/theme'): { theme: Theme | null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (input === undefined || input === null) return { theme: null, errors };
  if (typeof input !== 'object' || Array.isArray(input)) return { theme: null, errors: [{ field: at, message: 'must be an object' }] };
  const raw = input as Record<string, unknown>;
  const theme: Theme = {};
  const tokens = checkTokens(raw.tokens, `${at}/tokens`, errors);
  if (tokens) theme.tokens = tokens;
  const dark = checkTokens(raw.dark, `${at}/dark`, errors);
  if (dark) theme.dark = dark;
  if (raw.colorScheme !== undefined) {
    if (raw.colorScheme === 'light' || raw.colorScheme === 'dark' || raw.colorScheme === 'system') theme.colorScheme = raw.colorScheme;
    else errors.push({ field: `${at}/colorScheme`, message: 'must be light, dark or system' });
  }
  if (raw.productName !== undefined) {
    if (typeof raw.productName === 'string' && raw.productName.trim().length > 0 && raw.productName.length <= 80) theme.productName = raw.productName.trim();
    else errors.push({ field: `${at}/productName`, message: 'must be 1 to 80 characters' });
  }
  if (raw.logo !== undefined) {
    if (typeof raw.logo === 'string' && raw.logo.length <= 100_000 && LOGO.test(raw.logo)) theme.logo = raw.logo;
    else errors.push({ field: `${at}/logo`, message: 'must be a data:image/png, svg+xml or webp base64 URL of at most 100 kB (the Connect UI loads nothing from other hosts)' });
  }
  for (const key of Object.keys(raw)) {
    if (!['tokens', 'dark', 'colorScheme', 'productName', 'logo'].includes(key)) errors.push({ field: `${at}/${key}`, message: 'is not a theme property (tokens, dark, colorScheme, productName, logo)' });
  }
  return { theme: errors.length > 0 ? null : theme, errors };
}

/** An exact web origin (`https://app.example.com`, `http://localhost:3000`), or undefined. */
export function exactOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== value) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export const LOCALE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
