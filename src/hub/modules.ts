import type { HubModule } from './context.ts';
import { inboundModule } from './inbound.ts';

/** The domain modules every hub installs, in order. */
export const productModules: HubModule[] = [inboundModule];
