/**
 * A list screen's state, kept in the URL: its filters and the API's cursor. Changing a filter
 * starts again at the first page (a cursor belongs to the filters it was issued for) and
 * replaces the history entry; moving to another page pushes one, so Back goes back a page.
 *
 * @example
 * const route = getRouteApi('/_app/jobs');
 * const list = useCursorList(route);
 * const jobs = useJobs({ ...list.search, limit: LIST_PAGE_SIZE }); // from lib/search, like the route's loader
 * list.set({ state: 'failed' });
 */
import type { RegisteredRouter, RouteById, RouteIds } from '@tanstack/react-router';
import { useCallback } from 'react';

type Search = { cursor?: string };
type Navigate<S> = (options: { search: (prev: S) => S; replace?: boolean }) => Promise<void>;
type Tree = RegisteredRouter['routeTree'];
/** The validated search of a route, as its `validateSearch` returns it. */
export type ListSearch<TId extends RouteIds<Tree>> = RouteById<Tree, TId>['types']['fullSearchSchema'];

export interface CursorListState<S extends Search> {
  search: S;
  /** The page shown: undefined on the first one. */
  cursor: string | undefined;
  /** Whether any filter (anything in the URL but the cursor, and the keys named in `ignore`) is set. */
  filtered: boolean;
  /**
   * Changes filters and goes back to the first page; `keepPage` keeps the cursor, for a filter
   * that narrows the page shown rather than the query.
   */
  set: (patch: Partial<S>, options?: { keepPage?: boolean }) => void;
  /** Drops every filter. */
  clear: () => void;
  setCursor: (cursor: string | undefined) => void;
}

/**
 * `route` is the screen's `getRouteApi(id)`; the search type is read from the registered route
 * tree by its id (a route file's own `Route` type is circular through its component).
 */
export function useCursorList<TId extends RouteIds<Tree>>(
  route: { id: TId; useSearch: () => unknown; useNavigate: () => unknown },
  options: { ignore?: readonly (keyof ListSearch<TId>)[] } = {},
): CursorListState<ListSearch<TId> & Search> {
  type S = ListSearch<TId> & Search;
  const search = route.useSearch() as S;
  // Navigation is typed per path; a list only ever rewrites its own search.
  const navigate = route.useNavigate() as Navigate<S>;
  const ignore = options.ignore;
  const set = useCallback(
    (patch: Partial<S>, { keepPage = false } = {}) => void navigate({ search: (prev) => ({ ...prev, ...(keepPage ? {} : { cursor: undefined }), ...patch }), replace: true }),
    [navigate],
  );
  const clear = useCallback(() => void navigate({ search: () => ({}) as S, replace: true }), [navigate]);
  const setCursor = useCallback((cursor: string | undefined) => void navigate({ search: (prev) => ({ ...prev, cursor }) }), [navigate]);
  const filtered = Object.entries(search).some(([key, value]) => key !== 'cursor' && !ignore?.includes(key as keyof ListSearch<TId>) && value !== undefined && value !== '');
  return { search, cursor: search.cursor, filtered, set, clear, setCursor };
}
