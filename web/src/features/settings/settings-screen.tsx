/** Settings: the dashboard theme, this environment's API keys, the organization's members and environments. */
import { Can } from '../../components/can';
import { PageHeader } from '../../components/page';
import { ApiKeys } from './api-keys';
import { Environments } from './environments';
import { Members } from './members';
import { ThemeSetting } from './theme-setting';
import '../../styles/settings.css';

export function SettingsScreen() {
  return (
    <>
      <PageHeader title="Settings" />
      <ThemeSetting />
      <Can scope="api-keys:read">
        <ApiKeys />
      </Can>
      <Can scope="members:read">
        <Members />
      </Can>
      <Can scope="organization:read">
        <Environments />
      </Can>
    </>
  );
}
