export { createHub, removeStaleSocket, type Hub, type HubOptions } from './hub.ts';
export type { HubContext, HubModule, HubRole } from './context.ts';
export { callLocalSocket, socketPath, OperationError } from './client.ts';
export { runOperation, registerOperation, type Operation, type OperationContext } from './operations/index.ts';
export type { Check } from './operations/doctor.ts';
