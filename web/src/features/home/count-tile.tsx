/** A number on the home screen that links into the list it counts, filtered. */
import { Link, type LinkProps } from '@tanstack/react-router';
import type { BadgeTone } from '../../components/ui/badge';

export interface CountTileProps {
  label: string;
  /** Undefined while loading. */
  count: number | undefined;
  /** The list had more than the page counted. */
  more?: boolean;
  tone?: BadgeTone;
  link: LinkProps;
}

export function CountTile({ label, count, more = false, tone = 'neutral', link }: CountTileProps) {
  const shown = count === undefined ? '…' : `${count}${more ? '+' : ''}`;
  return (
    <Link {...link} className={`count-tile count-tile--${tone}${count ? '' : ' count-tile--zero'}`} aria-label={`${label}: ${shown}`}>
      <span className="count-tile__count">{shown}</span>
      <span className="count-tile__label">{label}</span>
    </Link>
  );
}
