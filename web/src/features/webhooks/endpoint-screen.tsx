/**
 * One endpoint: what it receives and how (event types, filter, headers, retries), its delivery
 * over 24 hours, its signing secret, recovery, and the actions on it: send a test event, edit,
 * enable or disable, delete.
 */
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import type { Endpoint } from '../../api/hooks/webhooks';
import { useDeleteEndpoint, useEndpoint, useUpdateEndpoint } from '../../api/hooks/webhooks-out';
import { Can } from '../../components/can';
import { ConfirmButton } from '../../components/confirm-button';
import { Facts, PageHeader, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';
import { EndpointDelivery } from './endpoint-delivery';
import { EndpointFormDialog } from './endpoint-form';
import { EndpointRecovery } from './endpoint-recovery';
import { EndpointSecret } from './endpoint-secret';
import { SendTestEvent } from './send-test-event';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/endpoints/$endpointId');

function Actions({ endpoint }: { endpoint: Endpoint }) {
  const update = useUpdateEndpoint(endpoint.id);
  const remove = useDeleteEndpoint(endpoint.id);
  const toast = useToast();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const toggle = () =>
    update.mutate(
      { enabled: !endpoint.enabled },
      {
        onSuccess: (saved) =>
          toast.success(saved.enabled ? 'Endpoint enabled' : 'Endpoint disabled', saved.enabled ? 'Deliveries resume.' : 'What was still pending is dead-lettered; retry it after enabling.'),
        onError: (error) => toast.problem('Could not change the endpoint', error),
      },
    );
  return (
    <Can scope="endpoints:write">
      <SendTestEvent endpoint={endpoint} variant="primary" />
      <Button onClick={() => setEditing(true)}>Edit</Button>
      <Button busy={update.isPending} onClick={toggle}>
        {endpoint.enabled ? 'Disable' : 'Enable'}
      </Button>
      <ConfirmButton
        label="Delete"
        title={`Delete the endpoint ${endpoint.url}?`}
        description="Its delivery history and signing secret are deleted with it. Events are no longer sent there."
        busy={remove.isPending}
        onConfirm={() =>
          remove.mutateAsync().then(
            () => {
              toast.success('Endpoint deleted', endpoint.url);
              void navigate({ to: '/endpoints' });
            },
            (error: unknown) => toast.problem('Could not delete the endpoint', error),
          )
        }
      />
      {editing && <EndpointFormDialog endpoint={endpoint} open onClose={() => setEditing(false)} />}
    </Can>
  );
}

const retryText = (e: Endpoint) => {
  const r = e.retryConfig;
  if (r.backoffStrategy === 'default') return 'default schedule (up to 8 tries over about a day)';
  if (r.backoffStrategy === 'explicit') return `after ${(r.schedule ?? []).join(', ')} s`;
  return `${r.backoffStrategy}, every ${r.retryDelay ?? '?'} s, ${r.maxRetries ?? '?'} retries`;
};

export function EndpointScreen() {
  const { endpointId } = route.useParams();
  const endpoint = useEndpoint(endpointId);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/endpoints">Endpoints</Link> / <span aria-current="page">{endpointId}</span>
      </nav>
      <QueryView query={endpoint} label="Loading the endpoint">
        {(e) => (
          <>
            <PageHeader
              title={e.description || e.url}
              meta={
                <>
                  {e.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}
                  <span className="muted mono cell-wrap">{e.url}</span>
                </>
              }
              description={e.enabled ? undefined : `Disabled ${e.disabledReason ? `(${e.disabledReason})` : ''}: nothing is sent until it is enabled again.`}
              actions={<Actions endpoint={e} />}
            />
            <EndpointDelivery endpointId={e.id} />
            <Section title="What it receives">
              <Facts
                items={[
                  ['Endpoint id', <CopyableId value={e.id} label="endpoint id" />],
                  ['Event types', e.eventTypes?.length ? <span className="mono">{e.eventTypes.join(', ')}</span> : 'all'],
                  ['Channels', e.channels?.length ? e.channels.join(', ') : 'all'],
                  ['Timeout', `${e.timeoutMs / 1000} s`],
                  ['Retries', retryText(e)],
                  ['Rate limit', e.rateLimit ? `${e.rateLimit}/s` : 'none'],
                  ['Order', e.fifo ? 'one at a time, in order' : `up to ${e.maxConcurrency} at once`],
                  ['Created', <RelativeTime value={e.createdAt} />],
                ]}
              />
              <div className="two-columns">
                <div>
                  <h3 className="subheading">Payload filter</h3>
                  {e.filter ? <JsonViewer value={e.filter} label="Payload filter" /> : <p className="muted">None: every event of these types is sent.</p>}
                </div>
                <div>
                  <h3 className="subheading">Custom headers</h3>
                  {Object.keys(e.headers).length ? <JsonViewer value={e.headers} label="Custom headers (secret-looking values masked)" /> : <p className="muted">None.</p>}
                </div>
              </div>
            </Section>
            <EndpointSecret endpoint={e} />
            <Can scope="endpoints:write">
              <EndpointRecovery endpoint={e} />
            </Can>
          </>
        )}
      </QueryView>
    </>
  );
}
