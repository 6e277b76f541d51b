/**
 * One list screen, built once: filters and cursor in the URL (`useCursorList`), a filter bar
 * (`Filters`, `SelectFilter`, `SearchBox`), the query's loading and problem states with an empty
 * state that says what to do next (`CursorList`), the rows (`ListTable`, or `ItemList` for items
 * that open in place) and the pager.
 */
export { useCursorList, type CursorListState, type ListSearch } from './use-cursor-list';
// Routes take it from lib/search (so the route tree does not pull the list components in).
export { LIST_PAGE_SIZE } from '../../lib/search';
export { CursorList, type CursorPage } from './cursor-list';
export { ListTable } from './list-table';
export { ItemList } from './item-list';
export { Filters, SelectFilter } from './filters';
export { SearchBox } from '../search-box';
