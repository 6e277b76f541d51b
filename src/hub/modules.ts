import type { HubModule } from './context.ts';

/** The domain modules every hub installs, in order. */
export const productModules: HubModule[] = [];
