/** Integrations: the connectors configured in this environment. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { useIntegrations } from '../../api/hooks/integrations';
import { useEnvironment } from '../../api/session';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { Badge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';
import { Table } from '../../components/ui/table';

const route = getRouteApi('/_app/integrations/');

export function IntegrationsScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const integrations = useIntegrations({ ...search, limit: 50 });
  const enabledId = useId();
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  return (
    <>
      <PageHeader title="Integrations" description={`Connectors configured in ${environment}: their OAuth client or settings. Add one from the catalog.`} actions={<Link to="/catalog" className="ui-button ui-button--secondary ui-button--md">Open the catalog</Link>} />
      <div className="filters" role="search">
        <SearchBox label="Connector" value={search.connectorKey} onSearch={(connectorKey) => set({ connectorKey })} placeholder="e.g. hubspot" />
        <div className="field">
          <label htmlFor={enabledId}>State</label>
          <select id={enabledId} value={search.enabled === undefined ? '' : String(search.enabled)} onChange={(e) => set({ enabled: e.target.value === '' ? undefined : e.target.value === 'true' })}>
            <option value="">Any</option>
            <option value="true">enabled</option>
            <option value="false">disabled</option>
          </select>
        </div>
      </div>
      <QueryView query={integrations} label="Loading integrations">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={`No integrations in ${environment}${search.connectorKey || search.enabled !== undefined ? ' match' : ' yet'}`} action={<Link to="/catalog">Add one from the catalog</Link>}>
              An integration is a connector set up in this environment — for OAuth providers, with your OAuth app's client id and secret.
            </EmptyState>
          ) : (
            <>
              <Table caption="Integrations">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Key</th>
                    <th scope="col">Connector</th>
                    <th scope="col">Authentication</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {page.data.map((integration) => (
                    <tr key={integration.id}>
                      <td>
                        <Link to="/connections" search={{ integrationId: integration.id }} className="cell-main" aria-label={`${integration.name}: its connections`}>
                          {integration.name}
                        </Link>
                      </td>
                      <td className="mono">{integration.key}</td>
                      <td>
                        <Link to="/catalog/$connectorKey" params={{ connectorKey: integration.connectorKey }}>
                          {integration.connectorKey}
                        </Link>
                      </td>
                      <td>{integration.oauth ? `OAuth${integration.oauth.hasClientSecret ? '' : ' (no secret yet)'}` : 'credentials per connection'}</td>
                      <td>{integration.enabled ? <Badge tone="success">enabled</Badge> : <Badge tone="warning">disabled</Badge>}</td>
                      <td>
                        <RelativeTime value={integration.createdAt} />
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
