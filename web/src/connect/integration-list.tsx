/** The session's integrations, with a search box once there are more than a few. */
import { useId, useState } from 'react';
import type { Integration } from './api.ts';
import { fill, type Words } from './i18n.ts';
import { IntegrationIcon } from './screens.tsx';

export function IntegrationList({ integrations, words, onChoose }: { integrations: Integration[]; words: Words; onChoose: (integration: Integration) => void }) {
  const [query, setQuery] = useState('');
  const searchId = useId();
  const q = query.trim().toLowerCase();
  const shown = integrations.filter((i) => !q || i.name.toLowerCase().includes(q) || i.key.toLowerCase().includes(q) || i.description.toLowerCase().includes(q));
  return (
    <section aria-labelledby="pc-list-title">
      <h2 id="pc-list-title" className="pc-section-title">
        {words.choose}
      </h2>
      {integrations.length > 4 ? (
        <div className="pc-field">
          <label htmlFor={searchId}>{words.search}</label>
          <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} autoComplete="off" />
        </div>
      ) : null}
      {shown.length === 0 ? <p className="pc-muted">{fill(words.noMatch, { q: query })}</p> : null}
      <ul className="pc-list">
        {shown.map((integration) => (
          <li key={integration.id}>
            <button type="button" className="pc-list-item" onClick={() => onChoose(integration)}>
              <IntegrationIcon integration={integration} />
              <span className="pc-list-text">
                <span className="pc-list-name">{integration.name}</span>
                <span className="pc-list-description">{integration.description}</span>
              </span>
              <span aria-hidden="true" className="pc-chevron">
                ›
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
