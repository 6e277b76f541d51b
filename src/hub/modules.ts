import type { HubModule } from './context.ts';
import { outboundModule } from './modules/outbound.ts';

/** The domain modules every hub installs, in order. */
export const productModules: HubModule[] = [outboundModule];
