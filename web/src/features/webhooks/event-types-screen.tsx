/** Event types: what Patchbay and this environment publish, each with its schema and example. */
import { Link, getRouteApi } from '@tanstack/react-router';
import { useEventTypes, type EventType } from '../../api/hooks/webhooks-out';
import { useEnvironment } from '../../api/session';
import { CursorList, ItemList, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader } from '../../components/page';
import { Badge } from '../../components/ui/badge';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/event-types');

function EventTypeItem({ type }: { type: EventType }) {
  return (
    <li className="message">
      <details>
        <summary>
          <span className="cell-main mono">{type.name}</span>
          <span className="badge-row">
            <Badge tone="info">v{type.schemaVersion}</Badge>
            {type.builtIn && <Badge>built in</Badge>}
            {type.archived && <Badge tone="warning">archived</Badge>}
          </span>
        </summary>
        <div className="message__body">
          <p>{type.description || <span className="muted">No description.</span>}</p>
          {type.updatedAt && (
            <p className="muted">
              Version {type.schemaVersion}, changed <RelativeTime value={type.updatedAt} />. Earlier versions stay valid for messages published under them.
            </p>
          )}
          <div className="two-columns">
            <div>
              <h3>Schema of data</h3>
              {type.schema ? <JsonViewer value={type.schema} label={`Schema of ${type.name}`} /> : <p className="muted">Any object.</p>}
            </div>
            <div>
              <h3>Example</h3>
              {type.example ? <JsonViewer value={type.example} label={`Example of ${type.name}`} /> : <p className="muted">No example.</p>}
            </div>
          </div>
          <Link to="/messages" search={{ eventType: type.name }}>
            Messages of this type
          </Link>
        </div>
      </details>
    </li>
  );
}

export function EventTypesScreen() {
  const list = useCursorList(route);
  const environment = useEnvironment();
  // A hundred a page: the built-in types alone are a few dozen.
  const types = useEventTypes({ ...list.search, limit: 100 });
  return (
    <>
      <PageHeader
        title="Event types"
        description={`What can be published in ${environment}: Patchbay's own events and yours, each with the schema its data follows.`}
        actions={<Link to="/endpoints">Endpoints</Link>}
      />
      <CursorList
        list={list}
        query={types}
        noun="event type"
        empty={
          <EmptyState title="No event types">
            Define one with <code>POST /api/v1/event-types</code> (a name, a JSON Schema and an example).
          </EmptyState>
        }
      >
        {(rows) => (
          <ItemList label="Event types" rows={rows} rowKey={(type) => type.name}>
            {(type) => <EventTypeItem type={type} />}
          </ItemList>
        )}
      </CursorList>
    </>
  );
}
