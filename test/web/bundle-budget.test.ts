/**
 * The dashboard's initial JavaScript — the entry script and the modules index.html preloads —
 * stays within 250 kB gzipped; screens load their own chunks when opened.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt, WEB_DIST } from '../../demo/build-web.ts';

const BUDGET = 250 * 1024;

beforeAll(async () => {
  await ensureDashboardBuilt(() => undefined);
}, 120_000);

describe('the dashboard build', () => {
  it('loads at most 250 kB of gzipped JavaScript before the first screen, and splits the screens', () => {
    const index = fs.readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
    const initial = [...index.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(initial.length).toBeGreaterThan(0);
    const gzipped = initial.reduce((sum, asset) => sum + gzipSync(fs.readFileSync(path.join(WEB_DIST, asset))).length, 0);
    expect(gzipped, `initial JavaScript: ${(gzipped / 1024).toFixed(1)} kB gzipped`).toBeLessThanOrEqual(BUDGET);
    const chunks = fs.readdirSync(path.join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.js'));
    expect(chunks.length - initial.length, 'screens are split into chunks of their own').toBeGreaterThan(5);
  });
});
