import { createFileRoute } from '@tanstack/react-router';
import { CONFLICT_STATUSES } from '../../api/hooks/conflicts';
import { ConflictsScreen } from '../../features/records';
import { compact, cursor, oneOf, text } from '../../lib/search';

export const Route = createFileRoute('/_app/conflicts')({
  validateSearch: (search: Record<string, unknown>) => compact({ status: oneOf(search.status, CONFLICT_STATUSES), connectionId: text(search.connectionId, 128), cursor: cursor(search.cursor) }),
  component: ConflictsScreen,
});
