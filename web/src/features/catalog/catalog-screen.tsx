/** The connector catalog: by category, with search and filters kept in the URL. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useId } from 'react';
import { CAPABILITIES, CATEGORIES, MODES, MODE_LABELS, useConnectors, type Connector, type ConnectorFilters } from '../../api/hooks/catalog';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { ConnectorIcon } from '../../components/connector-icon';
import { SearchBox } from '../../components/search-box';


const route = getRouteApi('/_app/catalog/');

function ConnectorCard({ connector }: { connector: Connector }) {
  return (
    <li className="connector-card">
      <ConnectorIcon svg={connector.icon} size={40} />
      <div className="connector-card__body">
        <h3>
          <Link to="/catalog/$connectorKey" params={{ connectorKey: connector.key }} className="stretched-link">
            {connector.name}
          </Link>
        </h3>
        <p className="muted connector-card__description">{connector.description}</p>
        <div className="badge-row">
          <Badge tone="info">{MODE_LABELS[connector.connectionMode] ?? connector.connectionMode}</Badge>
          {connector.capabilities.map((capability) => (
            <Badge key={capability}>{capability}</Badge>
          ))}
        </div>
      </div>
    </li>
  );
}

function Select({ label, value, options, onChange, labels }: { label: string; value: string | undefined; options: readonly string[]; onChange: (value: string | undefined) => void; labels?: Record<string, string> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value || undefined)}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {labels?.[option] ?? option}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CatalogScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const connectors = useConnectors(search as ConnectorFilters);
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: true });
  const filtered = Boolean(search.q || search.category || search.capability || search.connectionMode);
  return (
    <>
      <PageHeader title="Catalog" description="Every provider Patchbay can connect to. Open one to add it as an integration in this environment." />
      <div className="filters" role="search">
        <SearchBox label="Search connectors" value={search.q} onSearch={(q) => set({ q })} />
        <Select label="Category" value={search.category} options={CATEGORIES} onChange={(category) => set({ category: category as never })} />
        <Select label="Capability" value={search.capability} options={CAPABILITIES} onChange={(capability) => set({ capability: capability as never })} />
        <Select label="Authentication" value={search.connectionMode} options={MODES} labels={MODE_LABELS} onChange={(connectionMode) => set({ connectionMode: connectionMode as never })} />
      </div>
      <QueryView query={connectors} label="Loading connectors">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title="No connector matches" action={filtered ? <Link to="/catalog">Clear the filters</Link> : undefined}>
              Try another word or fewer filters. A provider without a connector can be described in JSON and loaded at start.
            </EmptyState>
          ) : (
            CATEGORIES.filter((category) => page.data.some((c) => c.category === category)).map((category) => (
              <section key={category} className="catalog-group" aria-labelledby={`category-${category}`}>
                <h2 id={`category-${category}`} className="catalog-group__title">
                  {category}
                </h2>
                <ul className="connector-grid">
                  {page.data
                    .filter((c) => c.category === category)
                    .map((connector) => (
                      <ConnectorCard key={connector.key} connector={connector} />
                    ))}
                </ul>
              </section>
            ))
          )
        }
      </QueryView>
    </>
  );
}
