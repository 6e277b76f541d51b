import { createFileRoute } from '@tanstack/react-router';
import { messagesQuery } from '../../api/hooks/webhooks';
import { session } from '../../api/session';
import { MessagesScreen } from '../../features/webhooks/messages-screen';
import { compact, cursor, text } from '../../lib/search';

export const Route = createFileRoute('/_app/messages')({
  validateSearch: (search: Record<string, unknown>) => compact({ eventType: text(search.eventType, 200), channel: text(search.channel, 200), cursor: cursor(search.cursor) }),
  loaderDeps: ({ search }) => search,
  loader: ({ context, deps }) => context.queryClient.prefetchQuery(messagesQuery(session.environment(), { ...deps, limit: 50 })),
  component: MessagesScreen,
});
