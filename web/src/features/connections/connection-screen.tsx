/**
 * One connection: its status, test-connection, its credential's metadata (never the secret),
 * its syncs, its connector's actions, its account, and disconnecting it.
 */
import { Link, getRouteApi, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useConnection, useDisconnect, useTestConnection, type Connection } from '../../api/hooks/connections';
import { Can } from '../../components/can';
import { Facts, PageHeader, QueryView, Section } from '../../components/page';
import { Badge, StatusBadge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { CopyableId } from '../../components/ui/copyable-id';
import { Dialog } from '../../components/ui/dialog';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { useToast } from '../../components/ui/toast';
import { ConnectionActions } from './connection-actions';
import { ConnectionSyncs } from './connection-syncs';
import { ReplaceCredentials } from './replace-credentials-dialog';
import { UiEmbeds } from './ui-embeds';
import '../../styles/connections.css';
import { ConnectionHealth } from '../health';

const route = getRouteApi('/_app/connections/$connectionId');

function Actions({ connection }: { connection: Connection }) {
  const test = useTestConnection(connection.id);
  const disconnect = useDisconnect(connection.id);
  const toast = useToast();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const runTest = () =>
    test.mutate(undefined, {
      onSuccess: (result) =>
        result.ok
          ? toast.success('Connection works', result.message ?? `${connection.connectorKey} accepted the credentials.`)
          : toast.error(`Test failed${result.code ? `: ${result.code}` : ''}`, [result.message, result.hint].filter(Boolean).join(' ')),
      onError: (error) => toast.problem('Could not test the connection', error),
    });
  return (
    <Can scope="connections:write">
      <Button variant="primary" busy={test.isPending} onClick={runTest}>
        Test connection
      </Button>
      <ReplaceCredentials connection={connection} />
      <Button variant="danger-quiet" onClick={() => setConfirming(true)}>
        Disconnect
      </Button>
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={`Disconnect ${connection.id}?`}
        description="Its credentials are revoked at the provider where possible and deleted here; its syncs stop. The customer has to connect again to restore it."
        actions={
          <>
            <Button onClick={() => setConfirming(false)}>Cancel</Button>
            <Button
              variant="danger"
              busy={disconnect.isPending}
              onClick={() =>
                disconnect.mutate(undefined, {
                  onSuccess: () => {
                    setConfirming(false);
                    toast.success(`${connection.id} disconnected`);
                    void navigate({ to: '/connections' });
                  },
                  onError: (error) => toast.problem('Could not disconnect', error),
                })
              }
            >
              Disconnect
            </Button>
          </>
        }
      />
    </Can>
  );
}

function Credential({ connection }: { connection: Connection }) {
  const credential = connection.credential;
  return (
    <Section title="Credential">
      <p className="muted section__note">Metadata only: the secret itself is never shown here.</p>
      <Facts
        items={[
          ['Type', connection.credentialType],
          ['Stored in', connection.credentialReference ? <span className="mono">{connection.credentialReference}</span> : 'Patchbay vault (encrypted)'],
          ['Token expires', connection.tokenExpiresAt ? <RelativeTime value={connection.tokenExpiresAt} /> : 'does not expire'],
          ['Last refreshed', <RelativeTime value={connection.lastRefreshAt} empty="never" />],
          ['Last rotated', credential ? <RelativeTime value={credential.rotatedAt} /> : null],
          [
            'Rotation due',
            credential?.dueAt ? (
              <>
                <RelativeTime value={credential.dueAt} /> {credential.overdue ? <Badge tone="danger">overdue</Badge> : credential.due ? <Badge tone="warning">due</Badge> : null}
              </>
            ) : (
              'no rotation policy'
            ),
          ],
          ['Owner', credential?.owner ?? null],
        ]}
      />
    </Section>
  );
}

function LastTest({ connection }: { connection: Connection }) {
  const last = connection.lastTest;
  return (
    <Section title="Last test">
      {last ? (
        <div className={`alert ${last.ok ? 'alert--success' : 'alert--danger'}`}>
          <strong>
            {last.ok ? 'Passed' : 'Failed'} <RelativeTime value={connection.lastTestAt} />
          </strong>
          {(last.message || last.hint) && <p>{[last.code, last.message, last.hint].filter(Boolean).join(' — ')}</p>}
        </div>
      ) : (
        <p className="muted">Never tested. “Test connection” calls the provider with the stored credentials.</p>
      )}
    </Section>
  );
}

export function ConnectionScreen() {
  const { connectionId } = route.useParams();
  const connection = useConnection(connectionId);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/connections">Connections</Link> / <span aria-current="page">{connectionId}</span>
      </nav>
      <QueryView query={connection} label="Loading the connection">
        {(c) => (
          <>
            <PageHeader
              title={c.id}
              meta={
                <>
                  <StatusBadge status={c.status} />
                  <span className="muted">
                    {c.connectorKey} · customer <span className="mono">{c.endCustomerId}</span>
                  </span>
                </>
              }
              description={c.statusMessage ?? undefined}
              actions={<Actions connection={c} />}
            />
            <Section title="Overview">
              <Facts
                items={[
                  ['Connection id', <CopyableId value={c.id} label="connection id" />],
                  ['Integration', <Link to="/connections" search={{ integrationId: c.integrationId }} className="mono" title="Connections of this integration">{c.integrationId}</Link>],
                  ['End customer', <CopyableId value={c.endCustomerId} label="end-customer id" />],
                  ['Status changed', <RelativeTime value={c.statusChangedAt} />],
                  ['Last sync', <RelativeTime value={c.lastSyncAt} empty="never" />],
                  ['Errors', String(c.errorCount)],
                  ['Tags', c.tags.length ? c.tags.map((tag) => <Badge key={tag}>{tag}</Badge>) : null],
                  ['Created', <RelativeTime value={c.createdAt} />],
                ]}
              />
              {c.lastSyncError && (
                <div className="alert alert--danger">
                  <strong>Last sync failed</strong>
                  <p>{c.lastSyncError}</p>
                </div>
              )}
            </Section>
            <div className="two-columns">
              <Credential connection={c} />
              <LastTest connection={c} />
            </div>
            <ConnectionSyncs connectionId={c.id} />
            <ConnectionActions connectionId={c.id} />
            <UiEmbeds connection={c} />
            <ConnectionHealth connectionId={c.id} />
            <Section title="Account">
              {Object.keys(c.accountInfo).length ? <JsonViewer value={c.accountInfo} label="Account information from the provider" /> : <p className="muted">The provider told nothing about the account yet; a test fills this in.</p>}
            </Section>
          </>
        )}
      </QueryView>
    </>
  );
}
