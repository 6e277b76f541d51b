/**
 * Home: the state of the environment at a glance. Every number links into its list, filtered
 * to what it counts ("100+" when a status has more than one page).
 */
import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { CONNECTION_STATUSES, connectionsQuery, type Connection } from '../../api/hooks/connections';
import { INBOUND_STATUSES, inboundEventsQuery, type InboundEvent, type InboundEventStatus } from '../../api/hooks/inbound';
import { jobsQuery, type Job, type JobState } from '../../api/hooks/jobs';
import { useEnvironment } from '../../api/session';
import { PageHeader, ProblemAlert, Section } from '../../components/page';
import type { BadgeTone } from '../../components/ui/badge';
import { CountTile } from './count-tile';
import { OVERVIEW_PAGE, PER_STATUS_PAGE, useStatusCounts } from './status-counts';
import { WebhookHealth } from './webhook-health';

const CONNECTION_TONES: Record<string, BadgeTone> = { connected: 'success', syncing: 'info', error: 'danger', disconnected: 'warning' };
const INBOUND_TONES: Record<InboundEventStatus, BadgeTone> = { received: 'neutral', processing: 'info', processed: 'success', failed: 'danger', rejected: 'warning', duplicate: 'neutral' };
const JOB_STATES: { state: JobState; label: string; tone: BadgeTone }[] = [
  { state: 'failed', label: 'dead (failed for good)', tone: 'danger' },
  { state: 'running', label: 'running', tone: 'info' },
  { state: 'pending', label: 'waiting', tone: 'neutral' },
];

function ConnectionCounts() {
  const env = useEnvironment();
  const { counts, error, overview } = useStatusCounts({
    statuses: CONNECTION_STATUSES,
    statusOf: (c: Connection) => c.status,
    all: connectionsQuery(env, { limit: OVERVIEW_PAGE }),
    one: (status) => connectionsQuery(env, { status, limit: PER_STATUS_PAGE }),
  });
  // Among the connections counted, those whose last sync failed.
  const failing = overview ? overview.data.filter((c) => c.lastSyncError).length : undefined;
  return (
    <>
      <Section title="Connections" actions={<Link to="/connections">All connections</Link>}>
        {error ? (
          <ProblemAlert error={error} />
        ) : (
          <div className="tiles">
            {CONNECTION_STATUSES.map((status) => (
              <CountTile key={status} label={status} tone={CONNECTION_TONES[status]} {...counts[status]} link={{ to: '/connections', search: { status } }} />
            ))}
          </div>
        )}
      </Section>
      <Section title="Syncs">
        <div className="tiles">
          <CountTile label="connections syncing now" tone="info" {...counts.syncing} link={{ to: '/connections', search: { status: 'syncing' } }} />
          <CountTile label="connections whose last sync failed" tone="danger" count={failing} more={Boolean(overview?.nextCursor)} link={{ to: '/connections', search: { status: 'error' } }} />
        </div>
      </Section>
    </>
  );
}

function InboundCounts() {
  const env = useEnvironment();
  const { counts, error } = useStatusCounts({
    statuses: INBOUND_STATUSES,
    statusOf: (e: InboundEvent) => e.status,
    all: inboundEventsQuery(env, { limit: OVERVIEW_PAGE }),
    one: (status) => inboundEventsQuery(env, { status, limit: PER_STATUS_PAGE }),
  });
  return (
    <Section title="Inbound events" actions={<Link to="/inbound-events">All inbound events</Link>}>
      {error ? (
        <ProblemAlert error={error} />
      ) : (
        <div className="tiles">
          {INBOUND_STATUSES.map((status) => (
            <CountTile key={status} label={status} tone={INBOUND_TONES[status]} {...counts[status]} link={{ to: '/inbound-events', search: { status } }} />
          ))}
        </div>
      )}
    </Section>
  );
}

function JobCounts() {
  const env = useEnvironment();
  const { counts, error } = useStatusCounts({
    statuses: JOB_STATES.map((j) => j.state),
    statusOf: (job: Job) => job.state,
    all: jobsQuery(env, { limit: OVERVIEW_PAGE }),
    one: (state) => jobsQuery(env, { state, limit: PER_STATUS_PAGE }),
  });
  return (
    <Section title="Jobs" actions={<Link to="/jobs">All jobs</Link>}>
      {error ? (
        <ProblemAlert error={error} />
      ) : (
        <div className="tiles">
          {JOB_STATES.map(({ state, label, tone }) => (
            <CountTile key={state} label={label} tone={tone} {...counts[state]} link={{ to: '/jobs', search: { state } }} />
          ))}
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
        {/* Full width: its charts sit side by side and its table shows every column. */}
        <div className="home-grid__wide">
          <WebhookHealth since={since} />
        </div>
        <InboundCounts />
        <JobCounts />
      </div>
    </>
  );
}
