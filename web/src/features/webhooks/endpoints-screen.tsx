/** Endpoints: the URLs that receive this environment's events, and a test event for each. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { useEndpoints } from '../../api/hooks/webhooks';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { Badge } from '../../components/ui/badge';
import { Button, buttonClass } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';
import { EndpointFormDialog } from './endpoint-form';
import { SendTestEvent } from './send-test-event';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/endpoints/');

export function EndpointsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const endpoints = useEndpoints({ ...search, limit: 50 });
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Endpoints"
        description={`URLs that receive ${environment}'s events as signed webhooks (Standard Webhooks).`}
        actions={
          <>
            <Link to="/event-types" className={buttonClass('ghost')}>
              Event types
            </Link>
            <Link to="/messages" className={buttonClass('ghost')}>
              Message log
            </Link>
            <Can scope="endpoints:write">
              <Button variant="primary" onClick={() => setCreating(true)}>
                New endpoint
              </Button>
              {creating && <EndpointFormDialog open onClose={() => setCreating(false)} />}
            </Can>
          </>
        }
      />
      <QueryView query={endpoints} label="Loading endpoints">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={`No endpoints in ${environment} yet`}>
              Create one with “New endpoint” (a URL and the event types it wants), <code>POST /api/v1/endpoints</code> or <code>patchbay endpoints create</code>; its deliveries then show here and in
              the message log.
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
                        <Link to="/endpoints/$endpointId" params={{ endpointId: endpoint.id }} className="cell-main cell-wrap">
                          {endpoint.description || endpoint.url}
                        </Link>
                        {endpoint.description && <span className="muted cell-sub cell-wrap">{endpoint.url}</span>}
                        <CopyableId value={endpoint.id} label="endpoint id" />
                      </td>
                      <td className="cell-wrap">{endpoint.eventTypes?.join(', ') ?? 'all'}</td>
                      <td>
                        {endpoint.enabled ? (
                          <Badge tone="success">enabled</Badge>
                        ) : (
                          <Badge tone="warning" title={endpoint.disabledReason ?? undefined}>
                            disabled
                          </Badge>
                        )}
                      </td>
                      <td>
                        <RelativeTime value={endpoint.createdAt} />
                      </td>
                      <td>
                        <Can scope="endpoints:write">
                          <SendTestEvent endpoint={endpoint} size="sm" />
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
