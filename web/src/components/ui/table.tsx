/**
 * A data table that scrolls sideways inside its own box on narrow screens instead of pushing
 * the page. `caption` names it for assistive technology (visually hidden unless `showCaption`).
 */
import type { ReactNode, TableHTMLAttributes } from 'react';

export function Table({ caption, showCaption = false, children, ...rest }: { caption: string; showCaption?: boolean; children: ReactNode } & TableHTMLAttributes<HTMLTableElement>) {
  return (
    <div className="ui-table-wrap">
      <table className="ui-table" {...rest}>
        <caption className={showCaption ? 'ui-table__caption' : 'visually-hidden'}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}
