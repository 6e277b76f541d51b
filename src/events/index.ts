export { publish, publishMany, onEventPublished, onEventsPublished, type Event, type PublishInput, type PublishResult, type EventListener, type EventBatchListener } from './publish.ts';
export { events } from './schema.ts';
