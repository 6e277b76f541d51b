/**
 * The body of a list screen: the query's loading and problem states (the problem's title and
 * detail), an empty state that says what to do next, the rows, and the pager.
 *
 * @example
 * <CursorList list={list} query={jobs} noun="job" empty={<EmptyState title="No jobs yet">…</EmptyState>}>
 *   {(jobs) => <ListTable caption="Jobs" columns={['Type', 'State']} rows={jobs} rowKey={(j) => j.id}>{(job) => …}</ListTable>}
 * </CursorList>
 */
import type { ReactNode } from 'react';
import { EmptyState, QueryView } from '../page';
import { Pager } from '../pager';
import { Button } from '../ui/button';
import type { CursorListState } from './use-cursor-list';

/** A page as the API lists it; a change feed also says whether more follow. */
export interface CursorPage<T> {
  data: T[];
  nextCursor?: string | null;
  hasMore?: boolean;
}

interface Props<P extends CursorPage<unknown>> {
  list: Pick<CursorListState<{ cursor?: string }>, 'cursor' | 'filtered' | 'clear' | 'setCursor'>;
  query: { data: P | undefined; error: unknown; isPending: boolean };
  /** What one row is, for the loading line and the "no match" state ("run" → "No run matches these filters"). */
  noun: string;
  /** Its plural, when it is not `noun` + "s". */
  plural?: string;
  /** The empty state when nothing is filtered: what to do to see something here. */
  empty: ReactNode;
  /** The empty state when filters are set; by default it offers to clear them. */
  noMatch?: ReactNode;
  loadingLabel?: string;
  children: (items: P['data'], page: P) => ReactNode;
}

export function CursorList<P extends CursorPage<unknown>>({ list, query, noun, plural = `${noun}s`, empty, noMatch, loadingLabel, children }: Props<P>) {
  return (
    <QueryView query={query} label={loadingLabel ?? `Loading ${plural}`}>
      {(page) =>
        page.data.length === 0 && !list.cursor ? (
          list.filtered ? (
            (noMatch ?? <NoMatch noun={noun} clear={list.clear} />)
          ) : (
            empty
          )
        ) : (
          <>
            {page.data.length === 0 ? <EmptyState title={`No more ${plural}`}>Nothing follows the previous page.</EmptyState> : children(page.data, page)}
            <Pager cursor={list.cursor} nextCursor={page.hasMore === false ? null : page.nextCursor} count={page.data.length} onCursor={list.setCursor} />
          </>
        )
      }
    </QueryView>
  );
}

function NoMatch({ noun, clear }: { noun: string; clear: () => void }) {
  return (
    <EmptyState
      title={`No ${noun} matches these filters`}
      action={
        <Button size="sm" onClick={clear}>
          Clear the filters
        </Button>
      }
    >
      Widen the filters, or check the environment in the top bar.
    </EmptyState>
  );
}
