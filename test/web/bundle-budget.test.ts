/**
 * The dashboard's initial JavaScript — the entry script and the modules index.html preloads —
 * stays within 250 kB gzipped; screens load their own chunks when opened.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt, initialJavaScript } from '../../demo/build-web.ts';

const BUDGET = 250 * 1024;

beforeAll(async () => {
  await ensureDashboardBuilt(() => undefined);
}, 120_000);

describe('the dashboard build', () => {
  it('loads at most 250 kB of gzipped JavaScript before the first screen, and splits the screens', () => {
    const initial = initialJavaScript();
    expect(initial.files.length).toBeGreaterThan(0);
    expect(initial.gzippedBytes, `initial JavaScript: ${(initial.gzippedBytes / 1024).toFixed(1)} kB gzipped`).toBeLessThanOrEqual(BUDGET);
    expect(initial.chunks - initial.files.length, 'screens are split into chunks of their own').toBeGreaterThan(5);
  });
});
