/** Alerts: what needs attention in this environment, by status and severity, newest first. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { ALERT_SEVERITIES, ALERT_STATUSES, useAlerts } from '../../api/hooks/alerts';
import { useEnvironment } from '../../api/session';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { AlertItem } from './alert-item';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/alerts/');

export function AlertsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const status = search.status ?? 'unresolved';
  const alerts = useAlerts({ ...search, status, limit: 50 });
  const ids = { status: useId(), severity: useId() };
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  return (
    <>
      <PageHeader title="Alerts" description={`What needs attention in ${environment}: one alert per cause, opened once, resolved when the cause clears.`} actions={<Link to="/alerts/rules">Rules and channels</Link>} />
      <div className="filters" role="search">
        <div className="field">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(e) => set({ status: e.target.value === 'unresolved' ? undefined : (e.target.value as never) })}>
            {ALERT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === 'unresolved' ? 'not resolved' : s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.severity}>Severity</label>
          <select id={ids.severity} value={search.severity ?? ''} onChange={(e) => set({ severity: (e.target.value || undefined) as never })}>
            <option value="">Any</option>
            {ALERT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </div>
      <QueryView query={alerts} label="Loading alerts">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={status === 'unresolved' && !search.severity ? 'Nothing needs attention' : 'No alert matches'} action={status === 'unresolved' ? <Link to="/alerts" search={{ status: 'resolved' }}>See resolved alerts</Link> : undefined}>
              Alerts open when a rule's condition holds (a connection failing its health checks, an endpoint failing, dead jobs…) and notify the rule's channels.
            </EmptyState>
          ) : (
            <>
              <ul className="message-list" aria-label="Alerts">
                {page.data.map((alert) => (
                  <AlertItem key={alert.id} alert={alert} />
                ))}
              </ul>
              <Pager cursor={search.cursor} nextCursor={page.nextCursor} count={page.data.length} onCursor={(cursor) => void navigate({ search: (prev) => ({ ...prev, cursor }) })} />
            </>
          )
        }
      </QueryView>
    </>
  );
}
