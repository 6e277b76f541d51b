/** Shows its children only when the signed-in role grants the scope: a viewer sees no write action. */
import type { ReactNode } from 'react';
import { useCan } from '../api/hooks/auth';

export function Can({ scope, children, otherwise = null }: { scope: string; children: ReactNode; otherwise?: ReactNode }) {
  return <>{useCan(scope) ? children : otherwise}</>;
}
