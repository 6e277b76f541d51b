/** The frame of every signed-in screen: skip link, sidebar, top bar, the screen. */
import { Outlet } from '@tanstack/react-router';
import { useState } from 'react';
import { useEnvironment } from '../../api/session';
import { Sidebar } from './sidebar';
import { TopBar } from './top-bar';

export function Shell() {
  const environment = useEnvironment();
  const [menuOpen, setMenuOpen] = useState(false);
  const prod = environment === 'prod' || environment === 'production';
  return (
    <div className={`shell${prod ? ' shell--prod' : ''}`} data-environment={environment}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar prod={prod} menuOpen={menuOpen} onMenu={() => setMenuOpen((open) => !open)} />
      <div className="shell__body">
        <Sidebar open={menuOpen} onNavigate={() => setMenuOpen(false)} />
        <main id="main" className="shell__main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
