export { createHub, socketPath, removeStaleSocket, type Hub, type HubOptions } from './hub.ts';
export type { HubContext, HubModule, HubRole } from './context.ts';
export { callLocalSocket } from './socket.ts';
export { runOperation, registerOperation, OperationError, type Operation, type OperationContext } from './operations/index.ts';
export type { Check } from './operations/doctor.ts';
