import { createFileRoute } from '@tanstack/react-router';
import { RecordsScreen } from '../../../features/records';
import { compact, cursor, text } from '../../../lib/search';

export const Route = createFileRoute('/_app/records/')({
  validateSearch: (search: Record<string, unknown>) => compact({ connectionId: text(search.connectionId, 128), model: text(search.model, 64), cursor: cursor(search.cursor), q: text(search.q, 200) }),
  component: RecordsScreen,
});
