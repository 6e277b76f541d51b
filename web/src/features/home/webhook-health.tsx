/**
 * Outbound webhooks over the last 24 hours: attempts, success rate and latency per endpoint,
 * from each endpoint's statistics, and the sum of them.
 */
import { Link } from '@tanstack/react-router';
import { useQueries } from '@tanstack/react-query';
import { endpointStatsQuery, useEndpoints, type EndpointStats } from '../../api/hooks/webhooks';
import { useEnvironment } from '../../api/session';
import { EmptyState, ProblemAlert, Section } from '../../components/page';
import { Table, TableHead } from '../../components/ui/table';
import { Badge } from '../../components/ui/badge';
import { Chart } from '../../components/ui/chart';
import { deliverySeries, ms, percent } from '../webhooks/delivery-series';


export function WebhookHealth({ since }: { since: string }) {
  const env = useEnvironment();
  const endpoints = useEndpoints({ limit: 20 });
  const list = endpoints.data?.data ?? [];
  const stats = useQueries({ queries: list.map((endpoint) => endpointStatsQuery(env, endpoint.id, since)) });
  const loaded = stats.map((s) => s.data).filter((s): s is EndpointStats => Boolean(s));
  const attempts = loaded.reduce((sum, s) => sum + s.attempts, 0);
  const succeeded = loaded.reduce((sum, s) => sum + s.succeeded, 0);
  const failed = loaded.reduce((sum, s) => sum + s.failed, 0);
  const series = deliverySeries(loaded);
  const window: [number, number] = [Date.parse(since) / 1000, Date.now() / 1000];
  return (
    <Section title="Webhooks out — last 24 hours" actions={<Link to="/messages">Message log</Link>}>
      {endpoints.error ? (
        <ProblemAlert error={endpoints.error} />
      ) : list.length === 0 && !endpoints.isPending ? (
        <EmptyState title="No endpoints yet" action={<Link to="/endpoints">Go to endpoints</Link>}>
          Register an endpoint to receive Patchbay's events (connection.created, sync.completed…) as signed webhooks.
        </EmptyState>
      ) : (
        <>
          <div className="stat-row">
            <div className="stat">
              <span className="stat__value">{attempts}</span>
              <span className="stat__label">attempts</span>
            </div>
            <div className="stat">
              <span className="stat__value">{attempts ? percent(succeeded / attempts) : '—'}</span>
              <span className="stat__label">succeeded</span>
            </div>
            <div className="stat">
              <span className={`stat__value${failed ? ' stat__value--danger' : ''}`}>{failed}</span>
              <span className="stat__label">failed attempts</span>
            </div>
          </div>
          <div className="chart-grid">
            <Chart
              title="Success rate"
              summary={attempts ? `${percent(succeeded / attempts)} of ${attempts} attempts succeeded over 24 hours.` : 'No attempt in the last 24 hours.'}
              times={series.times}
              series={series.rate}
              yRange={[0, 1]}
              xRange={window}
              height={140}
              empty="No attempt in the last 24 hours."
            />
            <Chart title="Latency" summary="p50 and p95 of answered attempts, per period, across endpoints." times={series.times} series={series.latency} xRange={window} height={140} empty="No answered attempt in the last 24 hours." />
          </div>
          <Table caption="Delivery per endpoint over the last 24 hours">
            <TableHead columns={['Endpoint', { label: 'Attempts', numeric: true }, { label: 'Success', numeric: true }, { label: 'p50', numeric: true }, { label: 'p95', numeric: true }, { label: 'Waiting', numeric: true }]} />
            <tbody>
              {list.map((endpoint, i) => {
                const s = stats[i]?.data;
                return (
                  <tr key={endpoint.id}>
                    <td>
                      <Link to="/endpoints/$endpointId" params={{ endpointId: endpoint.id }} className="cell-main">
                        {endpoint.description || endpoint.url}
                      </Link>
                      {!endpoint.enabled && <Badge tone="warning">disabled</Badge>}
                    </td>
                    <td className="num">{s?.attempts ?? '…'}</td>
                    <td className="num">{s ? percent(s.successRate) : '…'}</td>
                    <td className="num">{s ? ms(s.latencyMs.p50) : '…'}</td>
                    <td className="num">{s ? ms(s.latencyMs.p95) : '…'}</td>
                    <td className="num">{s ? s.deliveries.pending + s.deliveries.delivering : '…'}</td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        </>
      )}
    </Section>
  );
}
