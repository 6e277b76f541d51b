/** Integrations: the connectors configured in this environment. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useIntegrations } from '../../api/hooks/integrations';
import { useEnvironment } from '../../api/session';
import { CursorList, Filters, LIST_PAGE_SIZE, ListTable, SearchBox, SelectFilter, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { RelativeTime } from '../../components/ui/relative-time';

const route = getRouteApi('/_app/integrations/');
const STATES = ['true', 'false'] as const;

export function IntegrationsScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const environment = useEnvironment();
  const integrations = useIntegrations({ ...search, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader
        title="Integrations"
        description={`Connectors configured in ${environment}: their OAuth client or settings. Add one from the catalog.`}
        actions={
          <Link to="/catalog" className="ui-button ui-button--secondary ui-button--md">
            Open the catalog
          </Link>
        }
      />
      <Filters>
        <SearchBox label="Connector" value={search.connectorKey} onSearch={(connectorKey) => set({ connectorKey })} placeholder="e.g. hubspot" />
        <SelectFilter
          label="State"
          value={search.enabled === undefined ? undefined : (String(search.enabled) as (typeof STATES)[number])}
          options={STATES}
          names={{ true: 'enabled', false: 'disabled' }}
          onChange={(state) => set({ enabled: state === undefined ? undefined : state === 'true' })}
        />
      </Filters>
      <CursorList
        list={list}
        query={integrations}
        noun="integration"
        empty={
          <EmptyState title={`No integrations in ${environment} yet`} action={<Link to="/catalog">Add one from the catalog</Link>}>
            An integration is a connector set up in this environment — for OAuth providers, with your OAuth app's client id and secret.
          </EmptyState>
        }
      >
        {(rows) => (
          <ListTable caption="Integrations" columns={['Name', 'Key', 'Connector', 'Authentication', 'State', 'Created']} rows={rows} rowKey={(i) => i.id}>
            {(integration) => (
              <>
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
              </>
            )}
          </ListTable>
        )}
      </CursorList>
    </>
  );
}
