/** One record: its facts, its data, and its versions side by side. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useRecord } from '../../api/hooks/records';
import { Facts, PageHeader, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { CopyableId } from '../../components/ui/copyable-id';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { ChangeBadge } from './change-badge';
import { VersionsTable } from './versions-table';
import '../../styles/syncs.css';

const route = getRouteApi('/_app/records/$connectionId/$model/$externalId');

export function RecordScreen() {
  const key = route.useParams();
  const record = useRecord(key);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/records" search={{ connectionId: key.connectionId, model: key.model }}>
          Records
        </Link>{' '}
        / <span aria-current="page">{key.externalId}</span>
      </nav>
      <QueryView query={record} label="Loading the record">
        {(r) => (
          <>
            <PageHeader
              title={`${r.model} ${r.externalId}`}
              meta={
                <>
                  <ChangeBadge change={r.lastChange} />
                  <span className="muted">
                    version {r.version} ·{' '}
                    <Link to="/connections/$connectionId" params={{ connectionId: r.connectionId }} className="mono">
                      {r.connectionId}
                    </Link>
                  </span>
                </>
              }
            />
            {r.pendingFields.length > 0 && (
              <div className="alert alert--warning">
                <strong>Changed here, not confirmed by the provider yet</strong>
                <p>{r.pendingFields.map((field) => <Badge key={field}>{field}</Badge>)}</p>
              </div>
            )}
            <Section title="Overview">
              <Facts
                items={[
                  ['External id', <CopyableId value={r.externalId} label="external id" />],
                  ['First seen', <RelativeTime value={r.firstSeenAt} />],
                  ['Last seen', <RelativeTime value={r.lastSeenAt} />],
                  ['Changed at the provider', <RelativeTime value={r.providerUpdatedAt} empty="not told" />],
                  ['Deleted', <RelativeTime value={r.deletedAt} empty="no" />],
                  ['Versions', String(r.versions.length + 1)],
                ]}
              />
            </Section>
            <Section title="Versions">
              {r.versions.length === 0 ? <p className="muted">Only one version so far: a later sync that sees this record change keeps this one for comparison.</p> : <VersionsTable record={r} />}
            </Section>
            <Section title="Data">
              <JsonViewer value={r.data} label={`Data of ${r.externalId}`} />
            </Section>
          </>
        )}
      </QueryView>
    </>
  );
}
