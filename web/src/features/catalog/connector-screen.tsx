/** One connector: how it authenticates, what it can do, and "Add integration". */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { MODE_LABELS, useConnector, type Connector } from '../../api/hooks/catalog';
import { useIntegrations } from '../../api/hooks/integrations';
import { useEnvironment } from '../../api/session';
import { Can } from '../../components/can';
import { ConnectorIcon } from '../../components/connector-icon';
import { EmptyState, Facts, PageHeader, QueryView, Section } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { AddIntegrationDialog } from './add-integration-dialog';

const route = getRouteApi('/_app/catalog/$connectorKey');

function AuthFacts({ connector }: { connector: Connector }) {
  if (connector.connectionMode === 'oauth') {
    return (
      <Facts
        items={[
          ['Authentication', 'OAuth 2'],
          ['Default scopes', connector.auth.scopes.length ? connector.auth.scopes.join(' ') : 'none'],
          ['PKCE', connector.auth.pkce ? 'yes' : 'no'],
        ]}
      />
    );
  }
  return (
    <>
      <Facts items={[['Authentication', MODE_LABELS[connector.connectionMode] ?? connector.connectionMode]]} />
      <ul className="field-list">
        {Object.entries(connector.auth.fields).map(([name, field]) => (
          <li key={name}>
            <strong>{field.label}</strong> {field.secret && <Badge tone="warning">secret</Badge>}
            {field.help && <p className="muted">{field.help}</p>}
          </li>
        ))}
      </ul>
    </>
  );
}

function Integrations({ connector }: { connector: Connector }) {
  const environment = useEnvironment();
  const integrations = useIntegrations({ connectorKey: connector.key, limit: 50 });
  return (
    <Section title={`Integrations in ${environment}`}>
      <QueryView query={integrations}>
        {(page) =>
          page.data.length === 0 ? (
            <p className="muted">None yet. Add one to let your customers connect their {connector.name} accounts.</p>
          ) : (
            <ul className="link-list">
              {page.data.map((integration) => (
                <li key={integration.id}>
                  <Link to="/connections" search={{ integrationId: integration.id }}>
                    {integration.name}
                  </Link>{' '}
                  <span className="muted mono">{integration.key}</span> {!integration.enabled && <Badge tone="warning">disabled</Badge>}
                </li>
              ))}
            </ul>
          )
        }
      </QueryView>
    </Section>
  );
}

export function ConnectorScreen() {
  const { connectorKey } = route.useParams();
  const connector = useConnector(connectorKey);
  const [adding, setAdding] = useState(false);
  return (
    <QueryView query={connector} label="Loading the connector">
      {(c) => (
        <>
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <Link to="/catalog">Catalog</Link> / <span aria-current="page">{c.name}</span>
          </nav>
          <PageHeader
            title={
              <span className="title-with-icon">
                <ConnectorIcon svg={c.icon} size={36} /> {c.name}
              </span>
            }
            description={c.description}
            meta={
              <>
                <Badge tone="info">{c.category}</Badge>
                {c.capabilities.map((capability) => (
                  <Badge key={capability}>{capability}</Badge>
                ))}
              </>
            }
            actions={
              <Can scope="integrations:write">
                <Button variant="primary" onClick={() => setAdding(true)}>
                  Add integration
                </Button>
              </Can>
            }
          />
          <div className="two-columns">
            <Section title="Authentication">
              <AuthFacts connector={c} />
            </Section>
            <Section title="Provider">
              <Facts
                items={[
                  ['Rate limit', c.rateLimit ?? 'none declared'],
                  ['Base URLs', c.baseUrls && Object.keys(c.baseUrls).length ? Object.entries(c.baseUrls).map(([env, url]) => `${env}: ${url}`).join(', ') : null],
                  ['API reference', <a href={c.docsUrl} rel="noreferrer noopener" target="_blank">{c.docsUrl}</a>],
                  ['Dashboard cards', c.uiEmbeds?.length ? c.uiEmbeds.map((e) => e.title ?? e.placement).join(', ') : null],
                ]}
              />
            </Section>
          </div>
          <Integrations connector={c} />
          {!c.capabilities.length && <EmptyState title="No capabilities" />}
          <AddIntegrationDialog connector={c} open={adding} onClose={() => setAdding(false)} />
        </>
      )}
    </QueryView>
  );
}
