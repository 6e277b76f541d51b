/** Alerts: what needs attention in this environment, by status and severity, newest first. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { ALERT_SEVERITIES, ALERT_STATUSES, useAlerts } from '../../api/hooks/alerts';
import { useEnvironment } from '../../api/session';
import { CursorList, ItemList, Filters, LIST_PAGE_SIZE, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { AlertItem } from './alert-item';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/alerts/');

export function AlertsScreen() {
  // The status always has a value (not resolved by default), so it is a view rather than a filter.
  const list = useCursorList(route, { ignore: ['status'] });
  const { search, set } = list;
  const environment = useEnvironment();
  const status = search.status ?? 'unresolved';
  const alerts = useAlerts({ ...search, status, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Alerts"
        description={`What needs attention in ${environment}: one alert per cause, opened once, resolved when the cause clears.`}
        actions={<Link to="/alerts/rules">Rules and channels</Link>}
      />
      <Filters>
        <SelectFilter label="Status" value={status} options={ALERT_STATUSES} any={null} names={{ unresolved: 'not resolved' }} onChange={(s) => set({ status: s === 'unresolved' ? undefined : s })} />
        <SelectFilter label="Severity" value={search.severity} options={ALERT_SEVERITIES} onChange={(severity) => set({ severity })} />
      </Filters>
      <CursorList
        list={list}
        query={alerts}
        noun="alert"
        empty={
          <EmptyState
            title={status === 'unresolved' ? 'Nothing needs attention' : `No ${status} alert`}
            action={
              status === 'unresolved' ? (
                <Link to="/alerts" search={{ status: 'resolved' }}>
                  See resolved alerts
                </Link>
              ) : undefined
            }
          >
            Alerts open when a rule's condition holds (a connection failing its health checks, an endpoint failing, dead jobs…) and notify the rule's channels.
          </EmptyState>
        }
      >
        {(rows) => (
          <ItemList label="Alerts" rows={rows} rowKey={(alert) => alert.id}>
            {(alert) => <AlertItem alert={alert} />}
          </ItemList>
        )}
      </CursorList>
    </>
  );
}
