/**
 * Tests a payload filter against the examples of the chosen event types, in the browser, with
 * the hub's own filter code (src/core/filter.ts): what it refuses, and which examples would be
 * sent or held back.
 */
import { compileFilter, filterErrors } from '../../../../src/core/filter.ts';
import type { EventType } from '../../api/hooks/webhooks-out';
import { Badge } from '../../components/ui/badge';
import '../../styles/webhooks.css';

export function FilterPreview({ filter, types }: { filter: Record<string, unknown> | null; types: EventType[] }) {
  if (!filter) return null;
  const errors = filterErrors(filter, '');
  if (errors.length > 0) {
    return (
      <ul className="filter-preview" aria-label="Filter problems">
        {errors.map((e) => (
          <li key={`${e.field}${e.message}`}>
            <Badge tone="danger">refused</Badge> <span className="mono">{e.field || '(filter)'}</span> {e.message}
          </li>
        ))}
      </ul>
    );
  }
  const withExample = types.filter((t) => t.example && typeof t.example === 'object');
  if (withExample.length === 0) return <p className="field__help">Tick event types with an example to test the filter against them.</p>;
  const matches = compileFilter(filter);
  return (
    <ul className="filter-preview" aria-label="Filter tested against the examples">
      {withExample.map((t) => {
        const sent = matches(t.example as Record<string, unknown>);
        return (
          <li key={t.name}>
            {sent ? <Badge tone="success">sent</Badge> : <Badge tone="warning">held back</Badge>} <span className="mono">{t.name}</span>'s example {sent ? 'matches' : 'does not match'}
          </li>
        );
      })}
    </ul>
  );
}
