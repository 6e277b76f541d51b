export { publish, publishMany, onEventPublished, onEventsPublished, type Event, type PublishInput, type PublishResult, type EventListener, type EventBatchListener } from './publish.ts';
export { eraseEventsOf, formerConnectionsOf, onEventsErased, type EventScope, type EventsOwner, type EventsErasedListener } from './erase.ts';
export { events } from './schema.ts';
