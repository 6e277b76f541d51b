/** The message log: every event published in this environment, newest first. */
import { getRouteApi } from '@tanstack/react-router';
import { useId, useState } from 'react';
import type { Message } from '../../api/hooks/webhooks';
import { useMessages } from '../../api/hooks/webhooks';
import { useEnvironment } from '../../api/session';
import { CursorList, ItemList, Filters, LIST_PAGE_SIZE, SearchBox, useCursorList } from '../../components/list-screen';
import { EmptyState, PageHeader, ProblemAlert, QueryView } from '../../components/page';
import { CopyableId } from '../../components/ui/copyable-id';
import { JsonViewer } from '../../components/ui/json-viewer';
import { RelativeTime } from '../../components/ui/relative-time';
import { MessageAttempts } from './message-attempts';
import { useMessage } from '../../api/hooks/webhooks-out';
import { Button } from '../../components/ui/button';
import '../../styles/webhooks.css';

const route = getRouteApi('/_app/messages');

function MessageItem({ message, initiallyOpen = false }: { message: Message; initiallyOpen?: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <li className="message">
      <details open={initiallyOpen || undefined} onToggle={(event) => setOpen(event.currentTarget.open)}>
        <summary>
          <span className="cell-main mono">{message.type}</span>
          <RelativeTime value={message.createdAt} />
        </summary>
        <div className="message__body">
          <CopyableId value={message.id} label="message id" />
          {message.eventId && <CopyableId value={message.eventId} label="event id" />}
          <h3>Data</h3>
          <JsonViewer value={message.data} label={`Data of message ${message.id}`} />
          <h3>Attempts</h3>
          <MessageAttempts messageId={message.id} open={open} />
        </div>
      </details>
    </li>
  );
}

/** `datetime-local` value (local time) ⇄ ISO instant in the URL. */
const toLocal = (iso: string | undefined) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
const fromLocal = (value: string) => (value ? new Date(value).toISOString() : undefined);

function TimeField({ label, value, onChange }: { label: string; value: string | undefined; onChange: (iso: string | undefined) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="datetime-local" value={toLocal(value)} onChange={(e) => onChange(fromLocal(e.target.value))} />
    </div>
  );
}

/** One message found by its message or event id, opened. */
function FoundMessage({ id, onClear }: { id: string; onClear: () => void }) {
  const message = useMessage(id, true);
  if (message.error) return <ProblemAlert error={message.error} action={`No message ${id}`} />;
  return (
    <QueryView query={message} label="Looking the message up">
      {(m) => (
        <>
          <ul className="message-list">
            <MessageItem message={m} initiallyOpen />
          </ul>
          <p>
            <Button size="sm" onClick={onClear}>
              Show all messages
            </Button>
          </p>
        </>
      )}
    </QueryView>
  );
}

export function MessagesScreen() {
  const list = useCursorList(route);
  const { search, set } = list;
  const environment = useEnvironment();
  const { id: _id, ...filters } = search;
  const messages = useMessages({ ...filters, limit: LIST_PAGE_SIZE });
  return (
    <>
      <PageHeader title="Message log" description={`Events published in ${environment} and sent to the endpoints that subscribe to them.`} />
      <Filters>
        <SearchBox label="Event type" value={search.eventType} onSearch={(eventType) => set({ eventType })} placeholder="e.g. connection.created" />
        <SearchBox label="Channel" value={search.channel} onSearch={(channel) => set({ channel })} />
        <TimeField label="Since" value={search.since} onChange={(since) => set({ since })} />
        <TimeField label="Until" value={search.until} onChange={(until) => set({ until })} />
        <SearchBox label="Message or event id" value={search.id} onSearch={(id) => set({ id })} placeholder="msg_… or evt_…" />
      </Filters>
      {search.id ? (
        <FoundMessage id={search.id} onClear={() => set({ id: undefined })} />
      ) : (
        <CursorList
          list={list}
          query={messages}
          noun="message"
          empty={
            <EmptyState title={`No messages in ${environment} yet`}>
              Messages appear when Patchbay or your product publishes an event (<code>POST /api/v1/events</code>), or when you send a test event to an endpoint.
            </EmptyState>
          }
        >
          {(rows) => (
            <ItemList label="Messages" rows={rows} rowKey={(message) => message.id}>
              {(message) => <MessageItem message={message} />}
            </ItemList>
          )}
        </CursorList>
      )}
    </>
  );
}
