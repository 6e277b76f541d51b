/** Endpoints: the URLs that receive this environment's events, and a test event for each. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { useEndpoints } from '../../api/hooks/webhooks';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { CursorList, LIST_PAGE_SIZE, ListTable, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button, buttonClass } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { RelativeTime } from '../../components/ui/relative-time';
import { EndpointFormDialog } from './endpoint-form';
import { SendTestEvent } from './send-test-event';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/endpoints/');

export function EndpointsScreen() {
  const list = useCursorList(route);
  const { search } = list;
  const environment = useEnvironment();
  const endpoints = useEndpoints({ ...search, limit: LIST_PAGE_SIZE });
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
      <CursorList
        list={list}
        query={endpoints}
        noun="endpoint"
        empty={
          <EmptyState title={`No endpoints in ${environment} yet`}>
            Create one with “New endpoint” (a URL and the event types it wants), <code>POST /api/v1/endpoints</code> or <code>patchbay endpoints create</code>; its deliveries then show here and in the
            message log.
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable caption="Endpoints" columns={['URL', 'Events', 'State', 'Created', { label: 'Actions', hidden: true }]} rows={rows} rowKey={(endpoint) => endpoint.id}>
            {(endpoint) => (
              <>
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
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
