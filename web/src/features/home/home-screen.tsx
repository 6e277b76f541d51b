/**
 * Home: the state of the environment at a glance. Every number links into its list, filtered
 * to what it counts. Counts are of the first page (up to 100); "100+" says there are more.
 */
import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { CONNECTION_STATUSES, useConnections } from '../../api/hooks/connections';
import { useInboundEvents, type InboundEventStatus } from '../../api/hooks/inbound';
import { useJobs } from '../../api/hooks/jobs';
import { useEnvironment } from '../../api/session';
import { PageHeader, ProblemAlert, Section } from '../../components/page';
import type { BadgeTone } from '../../components/ui/badge';
import { CountTile, pageCount } from './count-tile';
import { WebhookHealth } from './webhook-health';

const PAGE = 100;
const CONNECTION_TONES: Record<string, BadgeTone> = { connected: 'success', syncing: 'info', error: 'danger', disconnected: 'warning' };
const INBOUND: { status: InboundEventStatus; tone: BadgeTone }[] = [
  { status: 'received', tone: 'neutral' },
  { status: 'processing', tone: 'info' },
  { status: 'processed', tone: 'success' },
  { status: 'failed', tone: 'danger' },
  { status: 'rejected', tone: 'warning' },
  { status: 'duplicate', tone: 'neutral' },
];

function ConnectionCounts() {
  const byStatus = {
    connected: useConnections({ status: 'connected', limit: PAGE }),
    syncing: useConnections({ status: 'syncing', limit: PAGE }),
    error: useConnections({ status: 'error', limit: PAGE }),
    disconnected: useConnections({ status: 'disconnected', limit: PAGE }),
  };
  const failing = byStatus.error.data?.data.filter((c) => c.lastSyncError).length;
  const error = Object.values(byStatus).find((q) => q.error)?.error;
  return (
    <>
      <Section title="Connections" actions={<Link to="/connections">All connections</Link>}>
        {error ? (
          <ProblemAlert error={error} />
        ) : (
          <div className="tiles">
            {CONNECTION_STATUSES.map((status) => (
              <CountTile key={status} label={status} tone={CONNECTION_TONES[status]} {...pageCount(byStatus[status].data)} link={{ to: '/connections', search: { status } }} />
            ))}
          </div>
        )}
      </Section>
      <Section title="Syncs">
        <div className="tiles">
          <CountTile label="connections syncing now" tone="info" {...pageCount(byStatus.syncing.data)} link={{ to: '/connections', search: { status: 'syncing' } }} />
          <CountTile label="connections whose last sync failed" tone="danger" count={failing} more={Boolean(byStatus.error.data?.nextCursor)} link={{ to: '/connections', search: { status: 'error' } }} />
        </div>
      </Section>
    </>
  );
}

function InboundCounts() {
  const queries = INBOUND.map(({ status }) => ({ status, query: useInboundEvents({ status, limit: PAGE }) }));
  const error = queries.find((q) => q.query.error)?.query.error;
  return (
    <Section title="Inbound events" actions={<Link to="/inbound-events">All inbound events</Link>}>
      {error ? (
        <ProblemAlert error={error} />
      ) : (
        <div className="tiles">
          {queries.map(({ status, query }, i) => (
            <CountTile key={status} label={status} tone={INBOUND[i]!.tone} {...pageCount(query.data)} link={{ to: '/inbound-events', search: { status } }} />
          ))}
        </div>
      )}
    </Section>
  );
}

function JobCounts() {
  const failed = useJobs({ state: 'failed', limit: PAGE });
  const running = useJobs({ state: 'running', limit: PAGE });
  const pending = useJobs({ state: 'pending', limit: PAGE });
  const error = failed.error ?? running.error ?? pending.error;
  return (
    <Section title="Jobs" actions={<Link to="/jobs">All jobs</Link>}>
      {error ? (
        <ProblemAlert error={error} />
      ) : (
        <div className="tiles">
          <CountTile label="dead (failed for good)" tone="danger" {...pageCount(failed.data)} link={{ to: '/jobs', search: { state: 'failed' } }} />
          <CountTile label="running" tone="info" {...pageCount(running.data)} link={{ to: '/jobs', search: { state: 'running' } }} />
          <CountTile label="waiting" {...pageCount(pending.data)} link={{ to: '/jobs', search: { state: 'pending' } }} />
        </div>
      )}
    </Section>
  );
}

export function HomeScreen() {
  const environment = useEnvironment();
  // One "since" per visit, so the statistics' query keys stay put while the page is open.
  const since = useMemo(() => new Date(Date.now() - 86_400_000).toISOString(), []);
  return (
    <>
      <PageHeader title="Home" description={`The state of ${environment} at a glance. Every number opens the list behind it.`} />
      <div className="home-grid">
        <ConnectionCounts />
        <WebhookHealth since={since} />
        <InboundCounts />
        <JobCounts />
      </div>
    </>
  );
}
