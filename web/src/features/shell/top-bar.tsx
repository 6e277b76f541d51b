/**
 * Always visible: the organization, the environment switcher (prod is marked in the danger
 * colour, with a banner), who is signed in with which role, and sign-out.
 */
import { Link, useNavigate } from '@tanstack/react-router';
import { useId } from 'react';
import { useMe, useSignOut } from '../../api/hooks/auth';
import { useEnvironments, useOrganization } from '../../api/hooks/organization';
import { session, useEnvironment } from '../../api/session';
import { useToast } from '../../components/ui/toast';

export function TopBar({ prod, menuOpen, onMenu }: { prod: boolean; menuOpen: boolean; onMenu: () => void }) {
  const environment = useEnvironment();
  const environments = useEnvironments();
  const organization = useOrganization();
  const me = useMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const toast = useToast();
  const switcherId = useId();
  return (
    <header className="topbar">
      {prod && (
        <div className="prod-banner" role="note">
          Production — changes here affect live customers
        </div>
      )}
      <div className="topbar__row">
        <button type="button" className="topbar__menu" aria-expanded={menuOpen} aria-controls="sidebar" onClick={onMenu}>
          Menu
        </button>
        <Link to="/" className="brand">
          <img src="/favicon.svg" alt="" width="24" height="24" />
          <span>Patchbay</span>
        </Link>
        <span className="topbar__org" title="Organization">
          {organization.data?.name ?? '…'}
        </span>
        <div className={`env-switch${prod ? ' env-switch--prod' : ''}`}>
          <label htmlFor={switcherId}>Environment</label>
          <select
            id={switcherId}
            value={environment}
            onChange={(event) => {
              session.setEnvironment(event.target.value);
              toast.info(`Switched to ${event.target.value}`);
            }}
          >
            {(environments.data?.data ?? [{ name: environment, id: environment }]).map((env) => (
              <option key={env.id} value={env.name}>
                {env.name}
              </option>
            ))}
          </select>
        </div>
        <div className="topbar__user">
          {me.data?.role && <span className="topbar__role">{me.data.role}</span>}
          <button
            type="button"
            className="ui-button ui-button--ghost ui-button--sm"
            onClick={() => signOut.mutate(undefined, { onSettled: () => void navigate({ to: '/sign-in' }) })}
          >
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
