/** The message log: every event published in this environment, newest first. */
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import type { Message } from '../../api/hooks/webhooks';
import { useMessages } from '../../api/hooks/webhooks';
import { useEnvironment } from '../../api/session';
import { EmptyState, PageHeader, QueryView } from '../../components/page';
import { Pager } from '../../components/pager';
import { SearchBox } from '../../components/search-box';
import { CopyableId } from '../../components/ui/copyable-id';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { MessageAttempts } from './message-attempts';

const route = getRouteApi('/_app/messages');

function MessageItem({ message }: { message: Message }) {
  const [open, setOpen] = useState(false);
  return (
    <li className="message">
      <details onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>
          <span className="cell-main mono">{message.type}</span>
          <RelativeTime value={message.createdAt} />
        </summary>
        <div className="message__body">
          <CopyableId value={message.id} label="message id" />
          <h3>Data</h3>
          <JsonViewer value={message.data} label={`Data of message ${message.id}`} />
          <h3>Attempts</h3>
          <MessageAttempts messageId={message.id} open={open} />
        </div>
      </details>
    </li>
  );
}

export function MessagesScreen() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const environment = useEnvironment();
  const messages = useMessages({ ...search, limit: 50 });
  const set = (patch: Partial<typeof search>) => void navigate({ search: (prev) => ({ ...prev, cursor: undefined, ...patch }), replace: true });
  return (
    <>
      <PageHeader title="Message log" description={`Events published in ${environment} and sent to the endpoints that subscribe to them.`} />
      <div className="filters" role="search">
        <SearchBox label="Event type" value={search.eventType} onSearch={(eventType) => set({ eventType })} placeholder="e.g. connection.created" />
        <SearchBox label="Channel" value={search.channel} onSearch={(channel) => set({ channel })} />
      </div>
      <QueryView query={messages} label="Loading messages">
        {(page) =>
          page.data.length === 0 ? (
            <EmptyState title={search.eventType || search.channel ? 'No message matches' : `No messages in ${environment} yet`}>
              Messages appear when Patchbay or your product publishes an event (<code>POST /api/v1/events</code>), or when you send a test event to an endpoint.
            </EmptyState>
          ) : (
            <>
              <ul className="message-list">
                {page.data.map((message) => (
                  <MessageItem key={message.id} message={message} />
                ))}
              </ul>
              <Pager cursor={search.cursor} nextCursor={page.nextCursor} count={page.data.length} onCursor={(cursor) => void navigate({ search: (prev) => ({ ...prev, cursor }) })} />
            </>
          )
        }
      </QueryView>
    </>
  );
}
