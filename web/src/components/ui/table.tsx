/**
 * A data table that scrolls sideways inside its own box on narrow screens instead of pushing
 * the page. `caption` names it for assistive technology (visually hidden unless `showCaption`).
 */
import type { ReactNode, TableHTMLAttributes } from 'react';

export function Table({ caption, showCaption = false, children, ...rest }: { caption: string; showCaption?: boolean; children: ReactNode } & TableHTMLAttributes<HTMLTableElement>) {
  return (
    // Focusable and named, so a keyboard can scroll a table wider than the screen.
    <div className="ui-table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table className="ui-table" {...rest}>
        <caption className={showCaption ? 'ui-table__caption' : 'visually-hidden'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}
