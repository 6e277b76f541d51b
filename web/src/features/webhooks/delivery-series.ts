/** Endpoint statistics per time bucket, shaped for <Chart> (shared by the endpoint page and home). */
import type { ChartSeries } from '../../components/ui/chart';
import type { EndpointStats } from '../../api/hooks/webhooks';

export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)} %`);
export const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${Math.round(value)} ms`);

type Point = EndpointStats['series']['points'][number];

/**
 * Merges the points of several endpoints (or one) into one bucketed series: attempts and
 * successes add up; latency is the attempt-weighted mean of each endpoint's percentile, an
 * approximation that is exact for one endpoint.
 */
export function deliverySeries(all: EndpointStats[]): { times: number[]; rate: ChartSeries[]; latency: ChartSeries[] } {
  const buckets = new Map<number, { attempts: number; succeeded: number; p50: number; p95: number; timed: number }>();
  for (const stats of all) {
    for (const p of stats.series.points as Point[]) {
      const t = Date.parse(p.at) / 1000;
      const b = buckets.get(t) ?? { attempts: 0, succeeded: 0, p50: 0, p95: 0, timed: 0 };
      b.attempts += p.attempts;
      b.succeeded += p.succeeded;
      if (p.p50 !== null && p.p95 !== null) {
        b.p50 += p.p50 * p.attempts;
        b.p95 += p.p95 * p.attempts;
        b.timed += p.attempts;
      }
      buckets.set(t, b);
    }
  }
  const times = [...buckets.keys()].sort((a, b) => a - b);
  const at = (t: number) => buckets.get(t)!;
  return {
    times,
    rate: [{ label: 'Success rate', color: '--color-success', format: (v) => percent(v), values: times.map((t) => (at(t).attempts ? at(t).succeeded / at(t).attempts : null)) }],
    latency: [
      { label: 'p50', color: '--color-primary', format: ms, values: times.map((t) => (at(t).timed ? at(t).p50 / at(t).timed : null)) },
      { label: 'p95', color: '--color-warning', format: ms, values: times.map((t) => (at(t).timed ? at(t).p95 / at(t).timed : null)) },
    ],
  };
}
