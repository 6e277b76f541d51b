/**
 * Cursor pagination for a list whose cursor lives in the URL: "Next page" moves to the API's
 * `nextCursor`, "First page" drops the cursor; the browser's back button goes back a page.
 */
export function Pager({ cursor, nextCursor, onCursor, count }: { cursor: string | undefined; nextCursor: string | null | undefined; onCursor: (cursor: string | undefined) => void; count: number }) {
  if (!cursor && !nextCursor) return null;
  return (
    <nav className="pager" aria-label="Pagination">
      <span className="muted">
        {count} shown{cursor ? ' (not the first page)' : ''}
      </span>
      <div className="pager__buttons">
        {cursor && (
          <button type="button" className="ui-button ui-button--secondary ui-button--sm" onClick={() => onCursor(undefined)}>
            First page
          </button>
        )}
        {nextCursor && (
          <button type="button" className="ui-button ui-button--secondary ui-button--sm" onClick={() => onCursor(nextCursor)}>
            Next page
          </button>
        )}
      </div>
    </nav>
  );
}
