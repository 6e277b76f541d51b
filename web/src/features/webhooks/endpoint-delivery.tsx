/** An endpoint's delivery over the last 24 hours: the numbers, two charts, the recent errors. */
import { useMemo } from 'react';
import { useEndpointStats } from '../../api/hooks/webhooks';
import { QueryView, Section } from '../../components/page';
import { Chart } from '../../components/ui/chart';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table, TableHead } from '../../components/ui/table';
import { deliverySeries, ms, percent } from './delivery-series';

export function EndpointDelivery({ endpointId }: { endpointId: string }) {
  const since = useMemo(() => new Date(Date.now() - 86_400_000).toISOString(), []);
  const stats = useEndpointStats(endpointId, since);
  return (
    <Section title="Delivery — last 24 hours">
      <QueryView query={stats} label="Loading delivery statistics">
        {(s) => {
          const series = deliverySeries([s]);
          const window: [number, number] = [Date.parse(s.since) / 1000, Date.now() / 1000];
          const periods = series.times.length;
          return (
            <>
              <div className="stat-row">
                <div className="stat">
                  <span className="stat__value">{s.attempts}</span>
                  <span className="stat__label">attempts</span>
                </div>
                <div className="stat">
                  <span className="stat__value">{percent(s.successRate)}</span>
                  <span className="stat__label">succeeded</span>
                </div>
                <div className="stat">
                  <span className="stat__value">{ms(s.latencyMs.p95)}</span>
                  <span className="stat__label">p95 latency</span>
                </div>
                <div className="stat">
                  <span className={`stat__value${s.deliveries.failed ? ' stat__value--danger' : ''}`}>{s.deliveries.failed}</span>
                  <span className="stat__label">failed for good</span>
                </div>
                <div className="stat">
                  <span className="stat__value">{s.deliveries.pending + s.deliveries.delivering}</span>
                  <span className="stat__label">waiting</span>
                </div>
              </div>
              <div className="chart-grid">
                <Chart
                  title="Success rate"
                  summary={`${percent(s.successRate)} of ${s.attempts} attempts succeeded; ${periods} period${periods === 1 ? '' : 's'} of ${Math.round(s.series.bucketSeconds / 60)} min had attempts.`}
                  times={series.times}
                  series={series.rate}
                  yRange={[0, 1]}
                  xRange={window}
                  empty="No attempt in the last 24 hours. Send a test event to see one."
                />
                <Chart
                  title="Latency"
                  summary={`p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)} over the attempts that got an answer.`}
                  times={series.times}
                  series={series.latency}
                  xRange={window}
                  empty="No answered attempt in the last 24 hours."
                />
              </div>
              {s.recentErrors.length > 0 && (
                <Table caption="Recent failed attempts" showCaption>
                  <TableHead columns={['When', 'Message', 'Answer', 'Error']} />
                  <tbody>
                    {s.recentErrors.map((e) => (
                      <tr key={`${e.messageId}-${e.attempt}`}>
                        <td>
                          <RelativeTime value={e.at} />
                        </td>
                        <td className="mono">
                          {e.messageId} <span className="muted">#{e.attempt}</span>
                        </td>
                        <td className="mono">{e.statusCode ?? e.errorClass ?? '—'}</td>
                        <td className="cell-wrap">{e.error ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              )}
            </>
          );
        }}
      </QueryView>
    </Section>
  );
}
