import { PageHeader } from '../../components/page';
import { useEnvironment } from '../../api/session';

export function HomeScreen() {
  const environment = useEnvironment();
  return <PageHeader title="Home" description={`The state of ${environment} at a glance.`} />;
}
