/** What the inbound benchmarks' hub (bench/inbound/hub.ts) and their load generators agree on. */
export const BENCH_SECRET = 'whsec_bench_secret';
export const BENCH_PUBLIC_URL = 'https://hooks.bench.test';
