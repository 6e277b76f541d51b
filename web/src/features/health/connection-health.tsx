/**
 * A connection's health on its page: the check state, p50/p95/p99, error rate and availability
 * over 1 h, 24 h and 30 d, and the latency of the recent checks as a chart (failures marked).
 */
import { useConnectionHealth, type ConnectionHealth as Health } from '../../api/hooks/alerts';
import { QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Chart } from '../../components/ui/chart';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';

const WINDOWS = [
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['30d', 'Last 30 days'],
] as const;
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(v === 0 || v === 1 ? 0 : 2)} %`);
const msText = (v: number | null) => (v === null ? '—' : `${v} ms`);

function series(health: Health) {
  // The API lists recent checks newest first; a chart reads oldest first.
  const checks = [...health.recent].sort((a, b) => Date.parse(a.checkedAt) - Date.parse(b.checkedAt));
  const times = checks.map((c) => Math.floor(Date.parse(c.checkedAt) / 1000));
  // `rate_limited` is the provider asking to wait, not a failure of the connection.
  const ok = (o: string) => o !== 'failure' && o !== 'auth_failure';
  return {
    times,
    failures: checks.filter((c) => !ok(c.outcome)).length,
    series: [
      { label: 'Latency', color: '--color-primary', format: (v: number) => `${Math.round(v)} ms`, values: checks.map((c) => c.latencyMs) },
      { label: 'Failed check', color: '--color-danger', format: (v: number) => `${Math.round(v)} ms`, values: checks.map((c) => (ok(c.outcome) ? null : c.latencyMs)) },
    ],
  };
}

export function ConnectionHealth({ connectionId }: { connectionId: string }) {
  const health = useConnectionHealth(connectionId);
  return (
    <Section title="Health">
      <QueryView query={health} label="Loading health checks">
        {(h) => {
          const chart = series(h);
          const day = h.windows['24h'];
          return (
            <>
              <p className="badge-row">
                {h.windows['1h'].healthy === false || h.consecutiveFailures > 0 ? <Badge tone="danger">unhealthy</Badge> : h.lastCheckedAt ? <Badge tone="success">healthy</Badge> : <Badge>not checked yet</Badge>}
                <span className="muted">
                  Last check <RelativeTime value={h.lastCheckedAt} empty="never" />
                  {h.lastOutcome ? ` (${h.lastOutcome})` : ''} · next <RelativeTime value={h.nextCheckAt} empty="not scheduled" />
                  {h.consecutiveFailures > 0 ? ` · ${h.consecutiveFailures} failure${h.consecutiveFailures === 1 ? '' : 's'} in a row` : ''}
                </span>
              </p>
              <Chart
                title="Check latency"
                summary={`${chart.times.length} recent checks, ${chart.failures} failed; over 24 hours p95 ${msText(day.p95Ms)}, availability ${pct(day.availability)}.`}
                times={chart.times}
                series={chart.series}
                empty="No check has run yet. Checks run about every minute while the hub's worker is up."
              />
              <Table caption="Health by period">
                <TableHead columns={['Period', { label: 'Checks', numeric: true }, { label: 'p50', numeric: true }, { label: 'p95', numeric: true }, { label: 'p99', numeric: true }, { label: 'Error rate', numeric: true }, { label: 'Availability', numeric: true }]} />
                <tbody>
                  {WINDOWS.map(([key, label]) => {
                    const w = h.windows[key];
                    return (
                      <tr key={key}>
                        <td>
                          {label} {w.healthy === false && <Badge tone="danger">below threshold</Badge>}
                        </td>
                        <td className="num">{w.checks}</td>
                        <td className="num">{msText(w.p50Ms)}</td>
                        <td className="num">{msText(w.p95Ms)}</td>
                        <td className="num">{msText(w.p99Ms)}</td>
                        <td className="num">{pct(w.errorRate)}</td>
                        <td className="num">{pct(w.availability)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </Table>
            </>
          );
        }}
      </QueryView>
    </Section>
  );
}
