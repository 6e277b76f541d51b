/** Endpoints: the URLs that receive this environment's events, and a test event for each. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useEndpoints, useSendTestEvent, type Endpoint } from '../../api/hooks/webhooks';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';
import { useToast } from '../../components/ui/toast';

const route = getRouteApi('/_app/endpoints');

function SendTest({ endpoint }: { endpoint: Endpoint }) {
  const send = useSendTestEvent(endpoint.id);
  const toast = useToast();
  return (
    <Button
      size="sm"
      busy={send.isPending}
      disabled={!endpoint.enabled}
      onClick={() => send.mutate(undefined, { onSuccess: () => toast.success('Test event sent', `Queued for ${endpoint.url}; see the message log.`), onError: (error) => toast.problem('Could not send the test event', error) })}
    >
      Send test event
    </Button>
  );
}

export function EndpointsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const endpoints = useEndpoints({ ...search, limit: 50 });
  return (
    <>
      <PageHeader title="Endpoints" description={`URLs that receive ${environment}'s events as signed webhooks (Standard Webhooks).`} actions={<Link to="/messages">Message log</Link>} />
      <QueryView query={endpoints} label="Loading endpoints">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={`No endpoints in ${environment} yet`}>
              Create one with <code>POST /api/v1/endpoints</code> (a URL and the event types it wants), or <code>patchbay endpoints create</code>; its deliveries then show here and in the message log.
            </EmptyState>
          ) : (
            <>
              <Table caption="Endpoints">
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Events</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((endpoint) => (
                    <tr key={endpoint.id}>
                      <td>
                        <span className="cell-main cell-wrap">{endpoint.url}</span>
                        <CopyableId value={endpoint.id} label="endpoint id" />
                      </td>
                      <td className="cell-wrap">{endpoint.eventTypes?.join(', ') ?? 'all'}</td>
                      <td>{endpoint.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning" title={endpoint.disabledReason ?? undefined}>disabled</Badge>}</td>
                      <td>
                        <RelativeTime value={endpoint.createdAt} />
                      </td>
                      <td>
                        <Can scope="endpoints:write">
                          <SendTest endpoint={endpoint} />
                        </Can>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <Pager cursor={search.cursor} nextCursor={page.nextCursor} count={page.data.length} onCursor={(cursor) => void navigate({ search: (prev) => ({ ...prev, cursor }) })} />
            </>
          )
        }
      </QueryView>
    </>
  );
}
