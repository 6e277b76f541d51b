/** The main navigation. On narrow screens it folds away behind the top bar's menu button. */
import { Link, type LinkProps } from '@tanstack/react-router';

const SECTIONS: { heading: string; links: { to: NonNullable<LinkProps['to']>; label: string }[] }[] = [
  { heading: 'Overview', links: [{ to: '/', label: 'Home' }] },
  {
    heading: 'Integrations',
    links: [
      { to: '/catalog', label: 'Catalog' },
      { to: '/integrations', label: 'Integrations' },
      { to: '/connections', label: 'Connections' },
      { to: '/syncs', label: 'Syncs' },
    ],
  },
  {
    heading: 'Webhooks',
    links: [
      { to: '/endpoints', label: 'Endpoints' },
      { to: '/event-types', label: 'Event types' },
      { to: '/messages', label: 'Message log' },
      { to: '/sources', label: 'Sources' },
      { to: '/inbound-events', label: 'Inbound events' },
    ],
  },
  {
    heading: 'Operations',
    links: [
      { to: '/alerts', label: 'Alerts' },
      { to: '/jobs', label: 'Jobs' },
      { to: '/audit-log', label: 'Audit log' },
      { to: '/settings', label: 'Settings' },
    ],
  },
];

export function Sidebar({ open, onNavigate }: { open: boolean; onNavigate: () => void }) {
  return (
    <nav id="sidebar" className={`sidebar${open ? ' sidebar--open' : ''}`} aria-label="Main">
      {SECTIONS.map((section) => (
        <div key={section.heading} className="sidebar__section">
          <p className="sidebar__heading">{section.heading}</p>
          <ul>
            {section.links.map((link) => (
              <li key={link.to}>
                <Link to={link.to} className="sidebar__link" activeProps={{ 'aria-current': 'page', className: 'sidebar__link sidebar__link--active' }} activeOptions={{ exact: link.to === '/' }} onClick={onNavigate}>
                  {link.label}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
