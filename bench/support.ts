import fs from 'node:fs';
import pg from 'pg';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

/** The PostgreSQL server benchmarks run against (they create and drop their own database). */
export function benchServerUrl(): string {
  // Benchmarks are tools, not the product: they take DATABASE_URL as given, without the config module's checks.
  return process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function writeResult(name: string, result: Record<string, unknown>): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  const body = {
    benchmark: name,
    ranAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      // Other work on the machine skews every figure; ratios from one run hold up better.
      loadAverageAtEnd: os.loadavg().map((v) => Math.round(v * 100) / 100),
    },
    ...result,
  };
  fs.writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

/** Sorted-sample percentiles, in the samples' unit. */
export function percentiles(samples: number[]): { p50: number; p90: number; p99: number; max: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

/** Rejects if `promise` takes longer than `ms`: every benchmark phase is bounded. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms))),
  ]);
}

/**
 * Counts the statements node-postgres sends while `start()`…`stop()` runs, by their first words:
 * how many round trips a delivery costs is what its latency and CPU follow on a busy machine.
 * (It patches `pg.Client.prototype.query` once, in the benchmark's process only.)
 */
export function statementCounter(): { start(): void; stop(): { total: number; top: [statement: string, count: number][] } } {
  const counts = new Map<string, number>();
  let counting = false;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown; __counted?: boolean };
  if (!proto.__counted) {
    const query = proto.query;
    proto.query = function (this: unknown, ...args: unknown[]) {
      statementHook?.(args[0]);
      return query.apply(this, args);
    };
    proto.__counted = true;
  }
  statementHook = (config) => {
    if (!counting) return;
    const text = typeof config === 'string' ? config : ((config as { text?: string } | undefined)?.text ?? '?');
    const key = text.slice(0, 200).replace(/\s+/g, ' ').trim().slice(0, 90);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  return {
    start() {
      counts.clear();
      counting = true;
    },
    stop() {
      counting = false;
      const top = [...counts].sort((a, b) => b[1] - a[1]);
      return { total: top.reduce((sum, [, n]) => sum + n, 0), top: top.slice(0, 12) };
    },
  };
}

let statementHook: ((config: unknown) => void) | undefined;

/** The median (the mean of the middle two for an even count): what a figure over rounds reports. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `BENCH_ROUNDS` (default 3): the measured rounds of a benchmark that runs in rounds, after its warm-up round. */
export function benchRounds(): number {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`BENCH_ROUNDS must be a whole number ≥ 1, got ${process.env.BENCH_ROUNDS}`);
  return rounds;
}
