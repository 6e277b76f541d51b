import { createFileRoute } from '@tanstack/react-router';
import { messagesQuery } from '../../api/hooks/webhooks';
import { session } from '../../api/session';
import { MessagesScreen } from '../../features/webhooks/messages-screen';
import { LIST_PAGE_SIZE, compact, cursor, text } from '../../lib/search';

/** An ISO instant, or nothing when it does not parse. */
const instant = (value: unknown) => {
  const raw = text(value, 40);
  return raw && !Number.isNaN(Date.parse(raw)) ? new Date(raw).toISOString() : undefined;
};

export const Route = createFileRoute('/_app/messages')({
  validateSearch: (search: Record<string, unknown>) => compact({
      eventType: text(search.eventType, 200),
      channel: text(search.channel, 200),
      since: instant(search.since),
      until: instant(search.until),
      id: text(search.id, 128),
      cursor: cursor(search.cursor),
    }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps: { id, ...filters } }) => (id ? undefined : context.queryClient.prefetchQuery(messagesQuery(session.environment(), { ...filters, limit: LIST_PAGE_SIZE }))),
  component: MessagesScreen,
});
